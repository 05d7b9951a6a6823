import { z } from "zod";
import { db } from "@/server/db/client";
import { tenantDb, withTenantTransaction } from "@/server/db/tenant-scope";
import { auditAction, type TActor } from "@/server/lib/actor";
import { AppError } from "@/server/lib/errors";
import { likeLiteral, paginate, type TListParams } from "@/server/lib/pagination";
import { hashPassword } from "@/server/lib/passwords";
import { ZMemberRole, ZPassword } from "./create-user";

/** Members of a tenant: users and their role there. A user id names the member in the API. */

export const ZMember = z.object({
  id: z.uuid(),
  email: z.string(),
  name: z.string(),
  role: ZMemberRole,
  disabled: z.boolean(),
  lastSignInAt: z.date().nullable(),
  memberSince: z.date(),
});

const memberSelect = {
  id: true,
  role: true,
  createdAt: true,
  user: { select: { id: true, email: true, name: true, disabledAt: true, lastSignInAt: true } },
} as const;

type TMemberRow = { id: string; role: z.infer<typeof ZMemberRole>; createdAt: Date; user: { id: string; email: string; name: string; disabledAt: Date | null; lastSignInAt: Date | null } };

function toMember(row: TMemberRow): z.infer<typeof ZMember> {
  return {
    id: row.user.id,
    email: row.user.email,
    name: row.user.name,
    role: row.role,
    disabled: row.user.disabledAt !== null,
    lastSignInAt: row.user.lastSignInAt,
    memberSince: row.createdAt,
  };
}

export async function listMembers(customerId: string, params: TListParams & { role?: z.infer<typeof ZMemberRole> }) {
  const scoped = tenantDb(customerId);
  const where: Record<string, unknown> = {};
  if (params.role) where.role = params.role;
  if (params.search) {
    const text = likeLiteral(params.search);
    where.user = { OR: [{ email: { contains: text, mode: "insensitive" } }, { name: { contains: text, mode: "insensitive" } }] };
  }
  const result = await paginate({
    params,
    where,
    sort: { keys: { createdAt: "timestamp" }, fallback: "createdAt" },
    findMany: (args) => scoped.membership.findMany({ ...args, select: memberSelect }) as Promise<TMemberRow[]>,
    count: (args) => scoped.membership.count(args),
  });
  return { ...result, items: result.items.map(toMember) };
}

export const ZInviteMemberInput = z.strictObject({
  email: z.email().max(254).transform((email) => email.toLowerCase()),
  name: z.string().trim().max(200).optional(),
  role: ZMemberRole,
  password: ZPassword.optional().describe("Initial password; required when the email has no account yet."),
});

/** Adds a member: an existing account joins the tenant; a new email gets an account. */
export async function inviteMember(customerId: string, actor: TActor, input: z.infer<typeof ZInviteMemberInput>) {
  const existing = await db().user.findUnique({ where: { email: input.email }, select: { id: true } });
  if (!existing && !input.password) {
    throw new AppError("BAD_REQUEST", "password: required for a new account", { errors: [{ path: "password", message: "required for a new account" }] });
  }
  const passwordHash = existing ? null : await hashPassword(input.password!);
  return withTenantTransaction(customerId, async (tx) => {
    const userId =
      existing?.id ??
      (await tx.user.create({ data: { email: input.email, name: input.name ?? "", passwordHash: passwordHash! }, select: { id: true } })).id;
    const row = await tx.membership.create({ data: { customerId, userId, role: input.role }, select: memberSelect });
    await auditAction(tx, actor, customerId, "user.invite", { type: "user", id: userId }, { role: input.role, newAccount: !existing });
    return toMember(row as TMemberRow);
  });
}

export const ZUpdateMemberInput = z.strictObject({
  id: z.uuid(),
  role: ZMemberRole.optional(),
  disabled: z.boolean().optional().describe("Disable the account (only for users who belong to this customer alone)."),
});

async function assertNotLastAdmin(tx: { membership: { count: (args: { where: Record<string, unknown> }) => Promise<number> } }, userId: string) {
  const otherAdmins = await tx.membership.count({ where: { role: "ADMIN", userId: { not: userId } } });
  if (otherAdmins === 0) throw new AppError("CONFLICT", "A customer needs at least one ADMIN; promote someone else first.");
}

export async function updateMember(customerId: string, actor: TActor, input: z.infer<typeof ZUpdateMemberInput>) {
  return withTenantTransaction(customerId, async (tx) => {
    // Lock the customer row: role changes of one tenant are serialised (last-admin rule).
    await tx.$queryRaw`SELECT id FROM customers WHERE id = ${customerId}::uuid FOR UPDATE`;
    const membership = await tx.membership.findFirst({ where: { userId: input.id }, select: { id: true, role: true } });
    if (!membership) throw new AppError("NOT_FOUND", "No such member.");
    if (input.role && input.role !== "ADMIN" && membership.role === "ADMIN") await assertNotLastAdmin(tx, input.id);
    if (input.role) await tx.membership.update({ where: { id: membership.id }, data: { role: input.role } });
    if (input.disabled !== undefined) {
      const elsewhere = await db().membership.count({ where: { userId: input.id, customerId: { not: customerId } } });
      if (elsewhere > 0) throw new AppError("CONFLICT", "This user belongs to other customers too; remove them from this one instead.");
      if (input.disabled && membership.role === "ADMIN") await assertNotLastAdmin(tx, input.id);
      await tx.user.update({ where: { id: input.id }, data: { disabledAt: input.disabled ? new Date() : null } });
    }
    await auditAction(tx, actor, customerId, "user.update", { type: "user", id: input.id }, { role: input.role, disabled: input.disabled });
    const row = await tx.membership.findFirstOrThrow({ where: { id: membership.id }, select: memberSelect });
    return toMember(row as TMemberRow);
  });
}

export async function removeMember(customerId: string, actor: TActor, userId: string) {
  return withTenantTransaction(customerId, async (tx) => {
    await tx.$queryRaw`SELECT id FROM customers WHERE id = ${customerId}::uuid FOR UPDATE`;
    const membership = await tx.membership.findFirst({ where: { userId }, select: { id: true, role: true } });
    if (!membership) throw new AppError("NOT_FOUND", "No such member.");
    if (membership.role === "ADMIN") await assertNotLastAdmin(tx, userId);
    await tx.membership.delete({ where: { id: membership.id } });
    await auditAction(tx, actor, customerId, "user.remove", { type: "user", id: userId });
    return { id: userId, removed: true };
  });
}
