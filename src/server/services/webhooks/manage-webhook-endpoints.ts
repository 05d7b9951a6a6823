import type { z } from "zod";
import { lockRows } from "@/server/db/locks";
import { withTenantTransaction } from "@/server/db/tenant-scope";
import { auditAction, type TActor } from "@/server/lib/actor";
import { AppError } from "@/server/lib/errors";
import { assertSafeWebhookUrl } from "./ssrf-guard";
import {
  webhookEndpointSelect,
  type ZCreateWebhookEndpointInput,
  type ZRotateWebhookSecretInput,
  type ZUpdateWebhookEndpointInput,
} from "./webhook-endpoint-shape";
import { encryptWebhookSecret, generateWebhookSecret } from "./webhook-secret";

/**
 * Create, change, rotate and delete webhook endpoints. URLs pass the SSRF guard before they are
 * saved (and again at every send). Secrets are generated here, encrypted at rest, and returned
 * only by create and rotate. Every change is audited (ids and event types, never URLs' secrets).
 */

export async function createWebhookEndpoint(customerId: string, actor: TActor, input: z.output<typeof ZCreateWebhookEndpointInput>) {
  await assertSafeWebhookUrl(input.url);
  const secret = generateWebhookSecret();
  return withTenantTransaction(customerId, async (tx) => {
    const created = await tx.webhookEndpoint.create({
      data: {
        customerId,
        url: input.url,
        description: input.description,
        eventTypes: [...new Set(input.eventTypes)],
        enabled: input.enabled,
        secretCiphertext: encryptWebhookSecret(secret),
      },
      select: webhookEndpointSelect,
    });
    await auditAction(tx, actor, customerId, "webhook_endpoint.create", { type: "webhook_endpoint", id: created.id }, { eventTypes: created.eventTypes });
    return { ...created, secret };
  });
}

export async function updateWebhookEndpoint(customerId: string, actor: TActor, input: z.output<typeof ZUpdateWebhookEndpointInput>) {
  if (input.url !== undefined) await assertSafeWebhookUrl(input.url);
  return withTenantTransaction(customerId, async (tx) => {
    const current = await tx.webhookEndpoint.findFirst({ where: { id: input.id }, select: { id: true } });
    if (!current) throw new AppError("NOT_FOUND", "No such webhook endpoint.");
    const updated = await tx.webhookEndpoint.update({
      where: { id: input.id },
      data: {
        url: input.url,
        description: input.description,
        eventTypes: input.eventTypes ? [...new Set(input.eventTypes)] : undefined,
        enabled: input.enabled,
        // Re-enabling clears why it was disabled (e.g. a 410 from the receiver).
        ...(input.enabled === true ? { disabledReason: null } : {}),
        ...(input.enabled === false ? { disabledReason: "Disabled by an admin." } : {}),
      },
      select: webhookEndpointSelect,
    });
    const changed = Object.keys(input).filter((key) => key !== "id");
    await auditAction(tx, actor, customerId, "webhook_endpoint.update", { type: "webhook_endpoint", id: input.id }, { changed });
    return updated;
  });
}

export function rotateWebhookSecret(customerId: string, actor: TActor, input: z.output<typeof ZRotateWebhookSecretInput>) {
  const secret = generateWebhookSecret();
  return withTenantTransaction(customerId, async (tx) => {
    const current = await tx.webhookEndpoint.findFirst({ where: { id: input.id }, select: { id: true, secretCiphertext: true } });
    if (!current) throw new AppError("NOT_FOUND", "No such webhook endpoint.");
    const graceEnds = input.graceHours > 0 ? new Date(Date.now() + input.graceHours * 3_600_000) : null;
    const updated = await tx.webhookEndpoint.update({
      where: { id: input.id },
      data: {
        secretCiphertext: encryptWebhookSecret(secret),
        previousSecretCiphertext: graceEnds ? current.secretCiphertext : null,
        previousSecretExpiresAt: graceEnds,
      },
      select: webhookEndpointSelect,
    });
    await auditAction(tx, actor, customerId, "webhook_endpoint.rotate_secret", { type: "webhook_endpoint", id: input.id }, { graceHours: input.graceHours });
    return { ...updated, secret };
  });
}

export function deleteWebhookEndpoint(customerId: string, actor: TActor, id: string) {
  return withTenantTransaction(customerId, async (tx) => {
    const current = await tx.webhookEndpoint.findFirst({ where: { id }, select: { id: true } });
    if (!current) throw new AppError("NOT_FOUND", "No such webhook endpoint.");
    // The delete cascades to rule links and deliveries: lock order (src/server/db/locks.ts) is
    // the endpoint's alert rules, then the endpoint, so a rule being changed is not deadlocked.
    const links = await tx.alertRuleEndpoint.findMany({ where: { endpointId: id }, select: { ruleId: true } });
    await lockRows(
      tx,
      "alert_rules",
      links.map((link) => link.ruleId),
    );
    await lockRows(tx, "webhook_endpoints", [id]);
    await tx.webhookEndpoint.delete({ where: { id } });
    await auditAction(tx, actor, customerId, "webhook_endpoint.delete", { type: "webhook_endpoint", id });
    return { id, deleted: true };
  });
}
