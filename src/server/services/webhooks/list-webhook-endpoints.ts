import { tenantDb } from "@/server/db/tenant-scope";
import { AppError } from "@/server/lib/errors";
import { likeLiteral, paginate, type TListParams } from "@/server/lib/pagination";
import { webhookEndpointSelect } from "./webhook-endpoint-shape";

export function listWebhookEndpoints(customerId: string, params: TListParams) {
  const scoped = tenantDb(customerId);
  const text = params.search ? likeLiteral(params.search) : undefined;
  return paginate({
    params,
    where: text ? { OR: [{ url: { contains: text, mode: "insensitive" } }, { description: { contains: text, mode: "insensitive" } }] } : {},
    sort: { keys: { createdAt: "timestamp", url: "text" }, fallback: "-createdAt" },
    findMany: (args) => scoped.webhookEndpoint.findMany({ ...args, select: webhookEndpointSelect }),
    count: (args) => scoped.webhookEndpoint.count(args),
  });
}

export async function getWebhookEndpoint(customerId: string, id: string) {
  const row = await tenantDb(customerId).webhookEndpoint.findFirst({ where: { id }, select: webhookEndpointSelect });
  if (!row) throw new AppError("NOT_FOUND", "No such webhook endpoint.");
  return row;
}
