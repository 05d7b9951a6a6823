import type { Prisma } from "@/generated/prisma/client";
import type { TSqlTx } from "@/server/db/client";
import { deriveMessageId } from "@/server/services/webhooks/message-id";
import { enqueueWebhookDeliveries, type TOutboxRow } from "@/server/services/webhooks/enqueue-webhook-deliveries";
import type { TDriftEventSummary } from "./drift-event-summary";

/**
 * Outbox rows for alert lifecycle events, written in the transaction that changes the alert
 * (PRODUCT.md §5): one webhook delivery per enabled endpoint of the rule subscribed to the event
 * type, and one e-mail row per new alert whose rule has recipients. Body: { type, timestamp, data }.
 * drift.detected / drift.resolved do not depend on rules: detection writes them for every
 * subscribed endpoint (src/server/services/detection/lifecycle-webhooks.ts).
 */

export interface TRuleChannels {
  id: string;
  name: string;
  emailRecipients: readonly string[];
  endpoints: readonly { id: string; enabled: boolean; eventTypes: readonly string[] }[];
}

export interface TAlertRef {
  id: string;
  customerId: string;
  status: string;
  createdAt: Date;
}

function alertData(alert: TAlertRef, rule: TRuleChannels, drift: TDriftEventSummary) {
  return { alert: { id: alert.id, status: alert.status, createdAt: alert.createdAt.toISOString(), rule: { id: rule.id, name: rule.name } }, driftEvent: drift };
}

function subscribed(rule: TRuleChannels, eventType: string) {
  return rule.endpoints.filter((e) => e.enabled && e.eventTypes.includes(eventType));
}

/** alert.created, linked to the alert. (drift.* are detection's own events: detection/lifecycle-webhooks.ts.) */
export function createdAlertRows(alert: TAlertRef, rule: TRuleChannels, drift: TDriftEventSummary, now = new Date()): TOutboxRow[] {
  const timestamp = now.toISOString();
  return subscribed(rule, "alert.created").map((endpoint) => ({
    customerId: alert.customerId,
    endpointId: endpoint.id,
    alertEventId: alert.id,
    messageId: deriveMessageId("alert.created", endpoint.id, alert.id),
    eventType: "alert.created",
    payload: { type: "alert.created", timestamp, data: alertData(alert, rule, drift) },
  }));
}

/**
 * alert.resolved. The (endpoint, alert) unique key belongs to alert.created, so these rows carry
 * the alert in their payload (and in their derived message id) instead.
 */
export function resolvedAlertRows(alert: TAlertRef, rule: TRuleChannels, drift: TDriftEventSummary | undefined, now = new Date()): TOutboxRow[] {
  if (!drift) return [];
  const timestamp = now.toISOString();
  return subscribed(rule, "alert.resolved").map((endpoint) => ({
    customerId: alert.customerId,
    endpointId: endpoint.id,
    alertEventId: null,
    messageId: deriveMessageId("alert.resolved", endpoint.id, alert.id),
    eventType: "alert.resolved",
    payload: { type: "alert.resolved", timestamp, data: alertData(alert, rule, drift) },
  }));
}

export async function enqueueAlertEmails(tx: TSqlTx, items: readonly { alert: TAlertRef; rule: TRuleChannels }[]): Promise<number> {
  const rows = items
    .filter((i) => i.rule.emailRecipients.length > 0)
    .map((i) => ({ customer_id: i.alert.customerId, alert_event_id: i.alert.id, recipients: i.rule.emailRecipients }));
  if (rows.length === 0) return 0;
  return tx.$executeRaw`
    INSERT INTO alert_email_deliveries (customer_id, alert_event_id, recipients)
    SELECT r.customer_id, r.alert_event_id, r.recipients
    FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS r(customer_id uuid, alert_event_id uuid, recipients text[])
    ON CONFLICT (alert_event_id) DO NOTHING`;
}

export { enqueueWebhookDeliveries };

const ruleChannelsSelect = {
  id: true,
  name: true,
  enabled: true,
  payerId: true,
  cptGroup: true,
  driftTypes: true,
  minSeverity: true,
  minAbsDelta: true,
  minRevenueImpact: true,
  maxQValue: true,
  cooldownMinutes: true,
  emailRecipients: true,
  endpointLinks: { select: { endpoint: { select: { id: true, enabled: true, eventTypes: true } } } },
} satisfies Prisma.AlertRuleSelect;

export type TRuleWithChannels = TRuleChannelsRow & TRuleChannels;

type TRuleChannelsRow = Prisma.AlertRuleGetPayload<{ select: typeof ruleChannelsSelect }>;
/** The one model call readRuleChannels makes: a platform and a tenant transaction both have it. */
type TRuleReader = { alertRule: { findMany(args: { where: Prisma.AlertRuleWhereInput; select: typeof ruleChannelsSelect }): PromiseLike<TRuleChannelsRow[]> } };

/** Loads rules with their channels (any enabled state: resolutions concern disabled rules too). */
export async function readRuleChannels(tx: TRuleReader, customerId: string, ruleIds: readonly string[]): Promise<Map<string, TRuleWithChannels>> {
  if (ruleIds.length === 0) return new Map();
  const rules = await tx.alertRule.findMany({ where: { customerId, id: { in: [...ruleIds] } }, select: ruleChannelsSelect });
  return new Map(rules.map((r) => [r.id, { ...r, endpoints: r.endpointLinks.map((l) => l.endpoint) }]));
}
