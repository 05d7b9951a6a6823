import { z } from "zod";
import { tenantDb, withTenantTransaction } from "@/server/db/tenant-scope";
import { auditAction, type TActor } from "@/server/lib/actor";
import { AppError } from "@/server/lib/errors";
import { likeLiteral, paginate, type TListParams } from "@/server/lib/pagination";
import { ZMemberRole } from "./create-user";

/**
 * Members of a tenant: users and their role there. A user id names the member in the API.
 * Accounts are global and belong to their person (SECURITY.md, findings 1 and 2): a tenant admin
 * invites (manage-invitations.ts), changes roles and removes memberships, and never creates, disables or
 * changes an account. The database agrees: the tenant role has no UPDATE on `users`.
 */

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

type TMemberRow = {
  id: string;
  role: z.infer<typeof ZMemberRole>;
  createdAt: Date;
  user: { id: string; email: string; name: string; disabledAt: Date | null; lastSignInAt: Date | null };
};

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

export const ZUpdateMemberInput = z.strictObject({
  id: z.uuid(),
  role: ZMemberRole,
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
    if (input.role !== "ADMIN" && membership.role === "ADMIN") await assertNotLastAdmin(tx, input.id);
    await tx.membership.update({ where: { id: membership.id }, data: { role: input.role } });
    await auditAction(tx, actor, customerId, "user.update", { type: "user", id: input.id }, { role: input.role });
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
    // The keys this member made stop working with their membership: a key must not outlive the
    // person answerable for it (SECURITY.md). Another admin makes new ones if still needed.
    const revoked = await tx.apiKey.updateMany({ where: { createdById: userId, revokedAt: null }, data: { revokedAt: new Date() } });
    await auditAction(tx, actor, customerId, "user.remove", { type: "user", id: userId }, { revokedApiKeys: revoked.count });
    return { id: userId, removed: true, revokedApiKeys: revoked.count };
  });
}
