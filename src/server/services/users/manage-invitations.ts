import { z } from "zod";
import { setActiveCustomer } from "@/server/auth/user-sessions";
import { db } from "@/server/db/client";
import { isUniqueViolation } from "@/server/db/prisma-errors";
import { tenantDb, withTenantTransaction } from "@/server/db/tenant-scope";
import { auditAction, type TActor } from "@/server/lib/actor";
import { AppError, fieldError } from "@/server/lib/errors";
import { generateOneTimeToken, hashOneTimeToken, tokenPath } from "@/server/lib/one-time-token";
import { paginate, type TListParams } from "@/server/lib/pagination";
import { hashPassword } from "@/server/lib/passwords";
import { linkDelivery, sendTokenEmail, type TIdentityMailConfig } from "@/server/services/email/send-identity-email";
import { ZMemberRole, ZPassword } from "./create-user";

/**
 * Joining a tenant (SECURITY.md, finding 1): an admin invites an e-mail address with a role; the
 * person behind the address accepts with a single-use link — choosing their own password when
 * the address has no account, or signed in with the account it has. No admin ever sets or
 * learns another person's password, and the admin's answers are the same whether the address
 * has an account or not (the account is looked at only when the link is used).
 */

export const INVITATION_DAYS = 7;

export const ZInvitationToken = z.string().regex(/^dli_[A-Za-z0-9_-]{43}$/, "not an invitation token");

export const ZCreateInvitationInput = z.strictObject({
  email: z
    .email()
    .max(254)
    .transform((email) => email.toLowerCase()),
  role: ZMemberRole,
});

const ZInvitationStatus = z.enum(["PENDING", "ACCEPTED", "REVOKED", "EXPIRED"]);

export const ZInvitation = z.object({
  id: z.uuid(),
  email: z.string(),
  role: ZMemberRole,
  status: ZInvitationStatus,
  expiresAt: z.date(),
  createdAt: z.date(),
});

export const ZCreatedInvitation = ZInvitation.extend({
  delivery: z
    .enum(["EMAIL", "EMAIL_FAILED", "LINK"])
    .describe("EMAIL: sent to the address. LINK: no e-mail is configured; `link` is shown this once. EMAIL_FAILED: the SMTP server refused; invite again."),
  link: z.string().nullable().describe("The acceptance link, only when `delivery` is LINK (shown once; never stored)."),
});

const invitationSelect = { id: true, email: true, role: true, expiresAt: true, acceptedAt: true, revokedAt: true, createdAt: true } as const;
type TInvitationRow = {
  id: string;
  email: string;
  role: z.infer<typeof ZMemberRole>;
  expiresAt: Date;
  acceptedAt: Date | null;
  revokedAt: Date | null;
  createdAt: Date;
};

function toInvitation(row: TInvitationRow, now = new Date()): z.infer<typeof ZInvitation> {
  const status = row.acceptedAt ? "ACCEPTED" : row.revokedAt ? "REVOKED" : row.expiresAt <= now ? "EXPIRED" : "PENDING";
  return { id: row.id, email: row.email, role: row.role, status, expiresAt: row.expiresAt, createdAt: row.createdAt };
}

export async function createInvitation(customerId: string, actor: TActor, input: z.infer<typeof ZCreateInvitationInput>, mail?: TIdentityMailConfig) {
  const { token, hash } = generateOneTimeToken("invitation");
  const delivery = linkDelivery(mail);
  const { row, customerName } = await withTenantTransaction(customerId, async (tx) => {
    // Membership of this tenant is the admin's own business (the members list shows it).
    if (await tx.membership.findFirst({ where: { user: { email: input.email } }, select: { id: true } })) {
      throw new AppError("CONFLICT", "This address is already a member of this customer.");
    }
    // A new invitation replaces an open one for the same address: the old link stops working.
    await tx.invitation.updateMany({ where: { email: input.email, acceptedAt: null, revokedAt: null }, data: { revokedAt: new Date() } });
    const created = await tx.invitation.create({
      data: {
        customerId,
        email: input.email,
        role: input.role,
        tokenHash: hash,
        invitedById: actor.userId,
        expiresAt: new Date(Date.now() + INVITATION_DAYS * 86_400_000),
      },
      select: invitationSelect,
    });
    await auditAction(tx, actor, customerId, "invitation.create", { type: "invitation", id: created.id }, { email: input.email, role: input.role, delivery });
    const customer = await tx.customer.findFirstOrThrow({ select: { name: true } });
    return { row: created, customerName: customer.name };
  }).catch((error: unknown) => {
    if (isUniqueViolation(error)) throw new AppError("CONFLICT", "Another invitation for this address was created at the same moment; try again.");
    throw error;
  });
  // After commit: no network call while the transaction was open.
  let sent: "EMAIL" | "EMAIL_FAILED" | "LINK" = delivery;
  if (delivery === "EMAIL")
    sent = (await sendTokenEmail("invitation", input.email, token, { customerName, role: input.role }, mail)) ? "EMAIL" : "EMAIL_FAILED";
  return { ...toInvitation(row), delivery: sent, link: delivery === "LINK" ? tokenPath("invitation", token) : null };
}

export async function listInvitations(customerId: string, params: TListParams & { status?: z.infer<typeof ZInvitationStatus> }) {
  const scoped = tenantDb(customerId);
  const now = new Date();
  const where: Record<string, unknown> = {};
  if (params.status === "PENDING") Object.assign(where, { acceptedAt: null, revokedAt: null, expiresAt: { gt: now } });
  if (params.status === "ACCEPTED") Object.assign(where, { acceptedAt: { not: null } });
  if (params.status === "REVOKED") Object.assign(where, { revokedAt: { not: null } });
  if (params.status === "EXPIRED") Object.assign(where, { acceptedAt: null, revokedAt: null, expiresAt: { lte: now } });
  const result = await paginate({
    params,
    where,
    sort: { keys: { createdAt: "timestamp" }, fallback: "-createdAt" },
    findMany: (args) => scoped.invitation.findMany({ ...args, select: invitationSelect }) as Promise<TInvitationRow[]>,
    count: (args) => scoped.invitation.count(args),
  });
  return { ...result, items: result.items.map((row) => toInvitation(row, now)) };
}

export async function revokeInvitation(customerId: string, actor: TActor, id: string) {
  return withTenantTransaction(customerId, async (tx) => {
    const row = await tx.invitation.findFirst({ where: { id }, select: invitationSelect });
    if (!row) throw new AppError("NOT_FOUND", "No such invitation.");
    if (row.acceptedAt || row.revokedAt) throw new AppError("CONFLICT", "This invitation was already accepted or withdrawn.");
    const updated = await tx.invitation.update({ where: { id }, data: { revokedAt: new Date() }, select: invitationSelect });
    await auditAction(tx, actor, customerId, "invitation.revoke", { type: "invitation", id });
    return toInvitation(updated);
  });
}

const NOT_VALID = "This invitation link is not valid: it was used, withdrawn or has expired.";

async function openInvitation(token: string) {
  const row = await db().invitation.findUnique({
    where: { tokenHash: hashOneTimeToken(token) },
    select: { ...invitationSelect, customerId: true, customer: { select: { name: true } } },
  });
  if (!row || row.acceptedAt || row.revokedAt || row.expiresAt <= new Date()) throw new AppError("NOT_FOUND", NOT_VALID);
  return row;
}

/** What the invitation page shows before accepting: the tenant, the role and the address. */
export async function inspectInvitation(token: string) {
  const row = await openInvitation(token);
  return { email: row.email, role: row.role, customerName: row.customer.name, expiresAt: row.expiresAt };
}

export const ZAcceptInvitationInput = z.strictObject({
  token: ZInvitationToken,
  password: ZPassword.optional().describe("For an address without an account: the password its owner chooses."),
  name: z.string().trim().max(200).optional(),
});

export interface TAcceptingPerson {
  /** The signed-in account, if any (API keys are not people and cannot accept). */
  signedIn: { userId: string; email: string; sessionId: string | null } | null;
  requestId: string | null;
  ip: string | null;
}

/**
 * Uses the link once. Signed in: the account must be the invited address. Not signed in: only
 * an address with no account can be taken, with the password its holder chooses now — an
 * existing account is never given a new password through an invitation.
 */
export async function acceptInvitation(person: TAcceptingPerson, input: z.infer<typeof ZAcceptInvitationInput>) {
  const invitation = await openInvitation(input.token);
  let passwordHash: string | null = null;
  if (person.signedIn) {
    if (person.signedIn.email !== invitation.email) {
      throw new AppError("FORBIDDEN", "This invitation is for another e-mail address: sign out, then open the link again.");
    }
  } else {
    if (!input.password) throw fieldError("password", "choose a password (or sign in first if this address already has an account)");
    if (await db().user.findUnique({ where: { email: invitation.email }, select: { id: true } })) {
      throw new AppError("CONFLICT", "This address already has a Driftline account: sign in with it, then open the link again.");
    }
    passwordHash = await hashPassword(input.password);
  }
  const accepted = await withTenantTransaction(invitation.customerId, async (tx) => {
    // Single use under concurrency: the second of two simultaneous acceptances waits here and
    // then finds the invitation used.
    const [locked] = await tx.$queryRaw<{ open: boolean }[]>`
      SELECT (accepted_at IS NULL AND revoked_at IS NULL AND expires_at > now()) AS open FROM invitations WHERE id = ${invitation.id}::uuid FOR UPDATE`;
    if (!locked?.open) throw new AppError("NOT_FOUND", NOT_VALID);
    const userId =
      person.signedIn?.userId ??
      (await tx.user.create({ data: { email: invitation.email, name: input.name ?? "", passwordHash: passwordHash! }, select: { id: true } })).id;
    if (await tx.membership.findFirst({ where: { userId }, select: { id: true } })) {
      throw new AppError("CONFLICT", "You are already a member of this customer.");
    }
    await tx.membership.create({ data: { customerId: invitation.customerId, userId, role: invitation.role } });
    await tx.invitation.update({ where: { id: invitation.id }, data: { acceptedAt: new Date(), acceptedById: userId } });
    const actor: TActor = { userId, apiKeyId: null, label: invitation.email, requestId: person.requestId, ip: person.ip };
    await auditAction(
      tx,
      actor,
      invitation.customerId,
      "invitation.accept",
      { type: "user", id: userId },
      { invitationId: invitation.id, role: invitation.role },
    );
    return { userId };
  }).catch((error: unknown) => {
    if (isUniqueViolation(error)) throw new AppError("CONFLICT", "This address already has a Driftline account: sign in with it, then open the link again.");
    throw error;
  });
  // The web session now acts in the tenant just joined.
  if (person.signedIn?.sessionId) await setActiveCustomer(person.signedIn.sessionId, invitation.customerId);
  return { userId: accepted.userId, email: invitation.email, customerId: invitation.customerId, customerName: invitation.customer.name, role: invitation.role };
}
