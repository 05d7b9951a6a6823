import { z } from "zod";
import { tenantDb, withTenantTransaction } from "@/server/db/tenant-scope";
import { auditAction, type TActor } from "@/server/lib/actor";
import { AppError } from "@/server/lib/errors";
import { likeLiteral, paginate, type TListParams } from "@/server/lib/pagination";
import { ZMemberRole } from "@/server/services/users/create-user";
import { createApiKey, type TCreateApiKeyInput } from "./create-api-key";

/** API keys of a tenant. Lists never include the hash; the key itself exists only at creation. */

export const ZApiKey = z.object({
  id: z.uuid(),
  name: z.string(),
  prefix: z.string(),
  role: ZMemberRole,
  expiresAt: z.date().nullable(),
  revokedAt: z.date().nullable(),
  lastUsedAt: z.date().nullable(),
  createdAt: z.date(),
});

export const apiKeySelect = {
  id: true,
  name: true,
  prefix: true,
  role: true,
  expiresAt: true,
  revokedAt: true,
  lastUsedAt: true,
  createdAt: true,
} as const;

export function listApiKeys(customerId: string, params: TListParams) {
  const scoped = tenantDb(customerId);
  const text = params.search ? likeLiteral(params.search) : undefined;
  const where = text ? { OR: [{ name: { contains: text, mode: "insensitive" } }, { prefix: { startsWith: text } }] } : {};
  return paginate({
    params,
    where,
    sort: { keys: { createdAt: "timestamp", name: "text" }, fallback: "-createdAt" },
    findMany: (args) => scoped.apiKey.findMany({ ...args, select: apiKeySelect }),
    count: (args) => scoped.apiKey.count(args),
  });
}

export function issueApiKey(customerId: string, actor: TActor, input: TCreateApiKeyInput) {
  return withTenantTransaction(customerId, async (tx) => {
    const created = await createApiKey(tx as never, { customerId, createdById: actor.userId }, input);
    await auditAction(tx, actor, customerId, "api_key.create", { type: "api_key", id: created.id }, { role: created.role, prefix: created.prefix });
    return created;
  });
}

export function revokeApiKey(customerId: string, actor: TActor, id: string) {
  return withTenantTransaction(customerId, async (tx) => {
    const key = await tx.apiKey.findFirst({ where: { id }, select: { id: true, revokedAt: true } });
    if (!key) throw new AppError("NOT_FOUND", "No such API key.");
    const updated = await tx.apiKey.update({ where: { id }, data: { revokedAt: key.revokedAt ?? new Date() }, select: apiKeySelect });
    await auditAction(tx, actor, customerId, "api_key.revoke", { type: "api_key", id });
    return updated;
  });
}
