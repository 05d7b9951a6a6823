import { z } from "zod";
import { withTransaction } from "@/server/db/transaction";
import { auditAction, type TActor } from "@/server/lib/actor";
import { AppError } from "@/server/lib/errors";
import { ZEmail } from "./reset-passwords";

/**
 * Accounts are the platform's (SECURITY.md, finding 2): only a superuser (here) or the CLI
 * disables or re-enables one. Disabling ends the account's sessions and the API keys it made, in
 * every tenant. A superuser cannot disable their own account (the platform keeps an operator).
 */

export const ZSetAccountDisabledInput = z.strictObject({ email: ZEmail, disabled: z.boolean() });

export async function setAccountDisabled(actor: TActor | null, input: z.infer<typeof ZSetAccountDisabledInput>) {
  return withTransaction(async (tx) => {
    const [user] = await tx.$queryRaw<{ id: string; disabled: boolean }[]>`
      SELECT id::text, disabled_at IS NOT NULL AS disabled FROM users WHERE email = ${input.email} FOR UPDATE`;
    if (!user) throw new AppError("NOT_FOUND", "No account has this address.");
    if (actor && actor.userId === user.id && input.disabled) throw new AppError("CONFLICT", "You cannot disable your own account.");
    const now = new Date();
    await tx.user.update({ where: { id: user.id }, data: { disabledAt: input.disabled ? (user.disabled ? undefined : now) : null } });
    let revokedApiKeys = 0;
    if (input.disabled) {
      await tx.userSession.updateMany({ where: { userId: user.id, revokedAt: null }, data: { revokedAt: now } });
      revokedApiKeys = (await tx.apiKey.updateMany({ where: { createdById: user.id, revokedAt: null }, data: { revokedAt: now } })).count;
    }
    const who: TActor = actor ?? { userId: null, apiKeyId: null, label: "cli", requestId: null, ip: null };
    await auditAction(tx, who, null, input.disabled ? "account.disable" : "account.enable", { type: "user", id: user.id }, { revokedApiKeys });
    return { id: user.id, email: input.email, disabled: input.disabled, revokedApiKeys };
  });
}
