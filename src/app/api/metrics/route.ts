import { handleMetrics } from "@/server/api/metrics-endpoint";

/** Prometheus metrics of this process (METRICS_TOKEN bearer, or loopback under our own server). */
export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export function GET(req: Request): Promise<Response> {
  return handleMetrics(req);
}
