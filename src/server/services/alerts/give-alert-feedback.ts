import type { z } from "zod";
import { withTenantTransaction, type TTenantTx } from "@/server/db/tenant-scope";
import { auditAction, type TActor } from "@/server/lib/actor";
import { AppError } from "@/server/lib/errors";
import type { ZFeedbackInput } from "./alert-shape";
import { acknowledgeAlerts, resolveAlertInTx } from "./change-alert-status";
import { readAlert } from "./list-alerts";

/**
 * Feedback on an alert (PRODUCT.md §4): one per (alert, user), editable (upsert). The verdict moves
 * the alert: NOISE resolves it (and counts toward the noise pattern that suppresses later alerts
 * of the same key), REAL and NEEDS_FOLLOWUP acknowledge it. Audited (verdict only, never notes).
 * Feedback belongs to a person: an API key gives it on behalf of the user who created the key.
 */

async function feedbackUserId(tx: TTenantTx, actor: TActor): Promise<string> {
  if (actor.userId) return actor.userId;
  if (actor.apiKeyId) {
    const key = await tx.apiKey.findFirst({ where: { id: actor.apiKeyId }, select: { createdById: true } });
    if (key?.createdById) return key.createdById;
  }
  throw new AppError("FORBIDDEN", "Feedback is given by a person: use a signed-in session or an API key created by a user.");
}

export async function giveAlertFeedback(customerId: string, actor: TActor, input: z.output<typeof ZFeedbackInput>) {
  return withTenantTransaction(customerId, async (tx) => {
    const alert = await tx.alertEvent.findFirst({ where: { id: input.id }, select: { id: true } });
    if (!alert) throw new AppError("NOT_FOUND", "No such alert.");
    const userId = await feedbackUserId(tx, actor);
    const fields = {
      verdict: input.verdict,
      reasonCodes: input.reasonCodes,
      recoveredAmount: input.recoveredAmount ?? null,
      recoveredOn: input.recoveredOn ? new Date(`${input.recoveredOn}T00:00:00Z`) : null,
      notes: input.notes ?? null,
    };
    const existing = await tx.alertFeedback.findFirst({ where: { alertEventId: input.id, userId }, select: { id: true } });
    const saved = existing
      ? await tx.alertFeedback.update({ where: { id: existing.id }, data: fields, select: { id: true } })
      : await tx.alertFeedback.create({ data: { ...fields, customerId, alertEventId: input.id, userId }, select: { id: true } });
    const attributed = { ...actor, userId };
    if (input.verdict === "NOISE") await resolveAlertInTx(tx, customerId, attributed, input.id);
    else await acknowledgeAlerts(tx, customerId, attributed, [input.id]);
    await auditAction(
      tx,
      actor,
      customerId,
      existing ? "alert.feedback.update" : "alert.feedback.create",
      { type: "alert", id: input.id },
      { verdict: input.verdict, feedbackId: saved.id },
    );
    return readAlert(tx, input.id);
  });
}
