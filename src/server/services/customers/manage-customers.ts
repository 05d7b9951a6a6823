import { z } from "zod";
import { setActiveCustomer } from "@/server/auth/user-sessions";
import { unscopedDb } from "@/server/db/tenant-scope";
import { withTransaction } from "@/server/db/transaction";
import { auditAction, type TActor } from "@/server/lib/actor";
import { AppError } from "@/server/lib/errors";
import { likeLiteral, paginate, type TListParams } from "@/server/lib/pagination";
import { createCustomer, type TCreateCustomerInput } from "./create-customer";

/** Tenants. Everything here except `getCustomer` is platform-wide and superuser-only. */

export const ZCustomer = z.object({ id: z.uuid(), slug: z.string(), name: z.string(), createdAt: z.date() });
const customerSelect = { id: true, slug: true, name: true, createdAt: true } as const;

export async function getCustomer(customerId: string) {
  const customer = await unscopedDb().customer.findUnique({ where: { id: customerId }, select: customerSelect });
  if (!customer) throw new AppError("NOT_FOUND", "No such customer.");
  return customer;
}

export function listCustomers(params: TListParams) {
  const text = params.search ? likeLiteral(params.search) : undefined;
  const where = text ? { OR: [{ slug: { contains: text } }, { name: { contains: text, mode: "insensitive" } }] } : {};
  return paginate({
    params,
    where,
    sort: { keys: { createdAt: "timestamp", slug: "text", name: "text" }, fallback: "createdAt" },
    findMany: (args) => unscopedDb().customer.findMany({ ...args, select: customerSelect }),
    count: (args) => unscopedDb().customer.count(args),
  });
}

export function createCustomerAudited(actor: TActor, input: TCreateCustomerInput) {
  return withTransaction(async (tx) => {
    const customer = await createCustomer(tx, input);
    await auditAction(tx, actor, null, "customer.create", { type: "customer", id: customer.id }, { slug: customer.slug });
    await auditAction(tx, actor, customer.id, "customer.create", { type: "customer", id: customer.id }, { slug: customer.slug });
    return customer;
  });
}

/** A superuser's explicit switch into a tenant, audited in both the platform and tenant chains. */
export async function switchCustomer(actor: TActor, sessionId: string, customerId: string | null) {
  const customer = customerId ? await getCustomer(customerId) : null;
  await withTransaction(async (tx) => {
    await auditAction(tx, actor, null, "tenant.switch", { type: "customer", id: customerId }, { slug: customer?.slug ?? null });
    if (customerId) await auditAction(tx, actor, customerId, "tenant.switch", { type: "customer", id: customerId });
  });
  await setActiveCustomer(sessionId, customerId);
  return customer;
}
