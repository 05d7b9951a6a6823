import type { TTx } from "@/server/db/client";
import { lockRows } from "@/server/db/locks";
import {
  createdAlertRows,
  enqueueAlertEmails,
  enqueueWebhookDeliveries,
  readRuleChannels,
  resolvedAlertRows,
  type TAlertRef,
  type TRuleChannels,
} from "./alert-outbox";
import type { TOutboxRow } from "@/server/services/webhooks/enqueue-webhook-deliveries";
import { readDriftEventSummaries } from "./drift-event-summary";
import { matchesAlertRule } from "./match-alert-rule";
import { refreshAlertStatus } from "./refresh-alert-status";
import { findSuppressions } from "./find-suppressions";

/**
 * Alert evaluation (PRODUCT.md §4), called by detection INSIDE its run transaction for every
 * opened, updated or resolved drift event, after it locked the Customer row and the events. In
 * lock order it then locks the tenant's enabled alert rules (ascending id), then alert events.
 *   - opened/updated ACTIVE events: every matching rule gets at most one alert per drift event
 *     (INSERT … ON CONFLICT DO NOTHING on (rule_id, drift_event_id)); a re-detected event that
 *     now matches a rule it did not match before gets its alert then. Cooldown per (rule, payer,
 *     group, type) and the noise pattern suppress visibly (suppressed + reason, no deliveries).
 *   - resolved events: their open alerts become RESOLVED (by the system) and alert.resolved
 *     goes out.
 * Every webhook and e-mail goes to the outbox in this same transaction; nothing is sent here.
 * drift.detected / drift.resolved are not alert events: detection writes them for every
 * subscribed endpoint, rules or not (src/server/services/detection/lifecycle-webhooks.ts).
 */

export type TDriftEventChangeKind = "opened" | "updated" | "resolved";

export interface TDriftEventChangeInput {
  id: string;
  customerId: string;
  kind: TDriftEventChangeKind | Uppercase<TDriftEventChangeKind>;
}

export interface TEvaluationResult {
  alertsCreated: number;
  alertsSuppressed: number;
  alertsResolved: number;
  webhookDeliveries: number;
  emails: number;
}

export async function evaluateDriftEvents(tx: TTx, events: readonly TDriftEventChangeInput[]): Promise<TEvaluationResult> {
  const total: TEvaluationResult = { alertsCreated: 0, alertsSuppressed: 0, alertsResolved: 0, webhookDeliveries: 0, emails: 0 };
  const byCustomer = new Map<string, { id: string; kind: TDriftEventChangeKind }[]>();
  for (const event of events) {
    const list = byCustomer.get(event.customerId) ?? [];
    list.push({ id: event.id, kind: event.kind.toLowerCase() as TDriftEventChangeKind });
    byCustomer.set(event.customerId, list);
  }
  for (const customerId of [...byCustomer.keys()].sort()) {
    const result = await evaluateForCustomer(tx, customerId, byCustomer.get(customerId)!);
    for (const key of Object.keys(total) as (keyof TEvaluationResult)[]) total[key] += result[key];
  }
  return total;
}

async function evaluateForCustomer(tx: TTx, customerId: string, changes: { id: string; kind: TDriftEventChangeKind }[]): Promise<TEvaluationResult> {
  const result: TEvaluationResult = { alertsCreated: 0, alertsSuppressed: 0, alertsResolved: 0, webhookDeliveries: 0, emails: 0 };
  const enabled = await tx.$queryRaw<{ id: string }[]>`
    SELECT id::text AS id FROM alert_rules WHERE customer_id = ${customerId}::uuid AND enabled ORDER BY id`;
  const lockedRuleIds = await lockRows(
    tx,
    "alert_rules",
    enabled.map((r) => r.id),
  );
  const resolvedIds = changes.filter((c) => c.kind === "resolved").map((c) => c.id);
  const openAlerts =
    resolvedIds.length === 0
      ? []
      : await tx.$queryRaw<{ id: string; rule_id: string }[]>`
    SELECT id::text AS id, rule_id::text AS rule_id FROM alert_events
    WHERE customer_id = ${customerId}::uuid AND drift_event_id = ANY(${resolvedIds}::uuid[]) AND status <> 'RESOLVED' ORDER BY id`;
  const rules = await readRuleChannels(tx, customerId, [...new Set([...lockedRuleIds, ...openAlerts.map((a) => a.rule_id)])]);
  const drifts = await readDriftEventSummaries(
    tx,
    customerId,
    changes.map((c) => c.id),
  );

  // created_at is kept to milliseconds: list cursors carry it as an ISO string.
  // Opened / updated: candidates are (rule, event) pairs that match and have no alert yet.
  const live = changes.filter((c) => c.kind !== "resolved" && drifts.get(c.id)?.status === "ACTIVE");
  const existing =
    live.length === 0
      ? []
      : await tx.$queryRaw<{ key: string }[]>`
    SELECT rule_id::text || ':' || drift_event_id::text AS key FROM alert_events
    WHERE customer_id = ${customerId}::uuid AND drift_event_id = ANY(${live.map((c) => c.id)}::uuid[])`;
  const taken = new Set(existing.map((row) => row.key));
  const candidates = lockedRuleIds.flatMap((ruleId) => {
    const rule = rules.get(ruleId)!;
    return live
      .filter((c) => !taken.has(`${ruleId}:${c.id}`) && matchesAlertRule(rule, drifts.get(c.id)!))
      .map((c) => ({ ruleId, drift: drifts.get(c.id)!, cooldownMinutes: rule.cooldownMinutes }));
  });
  const reasons = await findSuppressions(tx, customerId, candidates);
  if (candidates.length > 0) {
    const json = JSON.stringify(
      candidates.map((c) => ({ rule_id: c.ruleId, drift_event_id: c.drift.id, reason: reasons.get(`${c.ruleId}:${c.drift.id}`) ?? null })),
    );
    const inserted = await tx.$queryRaw<{ id: string; rule_id: string; drift_event_id: string; suppressed: boolean; status: string; created_at: Date }[]>`
      INSERT INTO alert_events (customer_id, rule_id, drift_event_id, suppressed, suppression_reason, created_at)
      SELECT ${customerId}::uuid, c.rule_id, c.drift_event_id, c.reason IS NOT NULL, c.reason, date_trunc('milliseconds', now())
      FROM jsonb_to_recordset(${json}::jsonb) AS c(rule_id uuid, drift_event_id uuid, reason text)
      ORDER BY c.rule_id, c.drift_event_id
      ON CONFLICT (rule_id, drift_event_id) DO NOTHING
      RETURNING id::text AS id, rule_id::text AS rule_id, drift_event_id::text AS drift_event_id, suppressed, status::text AS status, created_at`;
    const byKey = new Map(candidates.map((c) => [`${c.ruleId}:${c.drift.id}`, c]));
    const outbox: TOutboxRow[] = [];
    const created: { alert: TAlertRef; rule: TRuleChannels }[] = [];
    for (const row of inserted) {
      if (row.suppressed) {
        result.alertsSuppressed += 1;
        continue;
      }
      const rule = rules.get(row.rule_id)!;
      const candidate = byKey.get(`${row.rule_id}:${row.drift_event_id}`)!;
      const alert = { id: row.id, customerId, status: row.status, createdAt: row.created_at };
      outbox.push(...createdAlertRows(alert, rule, candidate.drift));
      created.push({ alert, rule });
    }
    result.alertsCreated += created.length;
    result.webhookDeliveries += await enqueueWebhookDeliveries(tx, outbox);
    result.emails += await enqueueAlertEmails(tx, created);
    await refreshAlertStatus(
      tx,
      created.map((c) => c.alert.id),
    );
  }

  // Resolved: close their open alerts and announce it.
  if (openAlerts.length > 0) {
    await lockRows(
      tx,
      "alert_events",
      openAlerts.map((a) => a.id),
    );
    const closed = await tx.$queryRaw<{ id: string; rule_id: string; drift_event_id: string; suppressed: boolean; created_at: Date }[]>`
      UPDATE alert_events SET status = 'RESOLVED', resolved_at = greatest(now(), created_at), resolved_by_id = NULL, updated_at = now()
      WHERE id = ANY(${openAlerts.map((a) => a.id)}::uuid[]) AND status <> 'RESOLVED'
      RETURNING id::text AS id, rule_id::text AS rule_id, drift_event_id::text AS drift_event_id, suppressed, created_at`;
    result.alertsResolved += closed.length;
    const outbox = closed
      .filter((row) => !row.suppressed)
      .flatMap((row) =>
        resolvedAlertRows({ id: row.id, customerId, status: "RESOLVED", createdAt: row.created_at }, rules.get(row.rule_id)!, drifts.get(row.drift_event_id)),
      );
    result.webhookDeliveries += await enqueueWebhookDeliveries(tx, outbox);
  }
  return result;
}
