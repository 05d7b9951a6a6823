import { timingSafeEqual } from "node:crypto";
import { env } from "@/env";
import { logger } from "@/server/lib/logger";
import { collectMetrics } from "@/server/services/metrics/collect-metrics";

/**
 * GET /api/metrics for Prometheus. With METRICS_TOKEN set, a matching `Authorization: Bearer`
 * is required. Without it, only loopback callers are served — and only under Driftline's own
 * server, which writes `x-driftline-client-ip` from the socket; under a bare `next start` that
 * header would be the caller's word, so the endpoint refuses everyone.
 */
const holder = globalThis as unknown as { driftlineSocketClientIp?: boolean };

const LOOPBACK = new Set(["127.0.0.1", "::1", "::ffff:127.0.0.1"]);

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function metricsAccess(headers: Headers): { allowed: true } | { allowed: false; status: 401 | 403; reason: string } {
  const token = env().METRICS_TOKEN;
  if (token) {
    const given = /^Bearer\s+(.+)$/i.exec(headers.get("authorization") ?? "")?.[1]?.trim() ?? "";
    return sameSecret(given, token) ? { allowed: true } : { allowed: false, status: 401, reason: "Send Authorization: Bearer <METRICS_TOKEN>." };
  }
  if (!holder.driftlineSocketClientIp) {
    return { allowed: false, status: 403, reason: "Set METRICS_TOKEN, or run Driftline's own server (npm start / start:web) for loopback access." };
  }
  const ip = headers.get("x-driftline-client-ip") ?? "";
  return LOOPBACK.has(ip)
    ? { allowed: true }
    : { allowed: false, status: 403, reason: "Metrics are served to loopback callers only unless METRICS_TOKEN is set." };
}

export async function handleMetrics(req: Request): Promise<Response> {
  const access = metricsAccess(req.headers);
  if (!access.allowed) {
    return new Response(`${access.reason}\n`, {
      status: access.status,
      headers: { "content-type": "text/plain; charset=utf-8", ...(access.status === 401 ? { "www-authenticate": 'Bearer realm="metrics"' } : {}) },
    });
  }
  try {
    const { contentType, body } = await collectMetrics();
    return new Response(body, { headers: { "content-type": contentType, "cache-control": "no-store" } });
  } catch (error) {
    logger.error({ err: error }, "metrics collection failed");
    return new Response("metrics collection failed\n", { status: 500, headers: { "content-type": "text/plain; charset=utf-8" } });
  }
}

/** Called by the custom server: it sets x-driftline-client-ip from the socket on every request. */
export function markClientIpFromSocket(): void {
  holder.driftlineSocketClientIp = true;
}
