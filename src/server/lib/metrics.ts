import { Counter, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/**
 * Prometheus instruments of one process (PRODUCT.md §8). The registry lives on globalThis:
 * Next.js bundles route handlers separately from the custom server and the worker code, so
 * module-level state would give each bundle its own, invisible, counters.
 *
 * Counters are per process: with several instances, Prometheus scrapes each one (DEPLOYMENT.md).
 * Database-derived gauges (queue depth, connections, heartbeats) are read at scrape time by
 * src/server/services/metrics/collect-metrics.ts, not kept here.
 */

interface TInstruments {
  registry: Registry;
  httpDuration: Histogram<"method" | "route" | "status">;
  detectionRunDuration: Histogram<"outcome">;
  detectionRuns: Counter<"outcome">;
  detectionCellsTested: Counter;
  webhookAttempts: Counter<"outcome">;
  webhookAttemptNumber: Histogram<"outcome">;
  signInRefused: Counter<"limit">;
  /** Set by the custom server, which measures every request itself (pages included). */
  measuredByServer: boolean;
}

const holder = globalThis as unknown as { driftlineMetrics?: TInstruments };

export function metrics(): TInstruments {
  if (holder.driftlineMetrics) return holder.driftlineMetrics;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "driftline_process_" });
  const registers = [registry];
  holder.driftlineMetrics = {
    registry,
    measuredByServer: false,
    httpDuration: new Histogram({
      name: "driftline_http_request_duration_seconds",
      help: "HTTP request duration by route template (ids as {id}) and status.",
      labelNames: ["method", "route", "status"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    detectionRunDuration: new Histogram({
      name: "driftline_detection_run_duration_seconds",
      help: "Duration of detection runs executed by this process, by outcome (run status).",
      labelNames: ["outcome"],
      buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
      registers,
    }),
    signInRefused: new Counter({
      name: "driftline_sign_in_refused_total",
      help: "Sign-in attempts refused by a rate limit before any password check (only the first of each window is audited), by limit.",
      labelNames: ["limit"],
      registers,
    }),
    detectionRuns: new Counter({
      name: "driftline_detection_runs_total",
      help: "Detection runs executed by this process, by outcome (SUCCEEDED, FAILED).",
      labelNames: ["outcome"],
      registers,
    }),
    detectionCellsTested: new Counter({
      name: "driftline_detection_cells_tested_total",
      help: "(payer, CPT group) cells tested by detection runs in this process.",
      registers,
    }),
    webhookAttempts: new Counter({
      name: "driftline_webhook_delivery_attempts_total",
      help: "Webhook delivery attempts recorded by this process, by the delivery's resulting state.",
      labelNames: ["outcome"],
      registers,
    }),
    webhookAttemptNumber: new Histogram({
      name: "driftline_webhook_delivery_attempt_number",
      help: "Attempt number of each recorded webhook attempt, by the delivery's resulting state.",
      labelNames: ["outcome"],
      buckets: [1, 2, 3, 4, 5, 6, 8, 10],
      registers,
    }),
  };
  return holder.driftlineMetrics;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A path segment that names one object (uuid, number, long token) rather than a route. */
function isIdSegment(segment: string): boolean {
  if (UUID.test(segment) || /^\d+$/.test(segment)) return true;
  return segment.length >= 16 && /\d/.test(segment) && /^[A-Za-z0-9_.~-]+$/.test(segment);
}

/**
 * The route template of a request path, for a bounded label set: ids become `{id}`, Next's
 * static assets collapse to one route, and 404s off the API become `(unmatched)` so scanners
 * cannot mint new series.
 */
export function routeTemplate(pathname: string, status: number): string {
  if (pathname.startsWith("/_next/")) return "/_next/*";
  if (status === 404 && !pathname.startsWith("/api/")) return "(unmatched)";
  const segments = pathname.split("/").filter(Boolean).slice(0, 8);
  const template = `/${segments.map((segment) => (isIdSegment(segment) || segment.length > 64 ? "{id}" : segment)).join("/")}`;
  return template;
}

const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

/**
 * One finished request. `source: "handler"` comes from the API's request log (src/server/api/
 * http.ts) and counts only when no custom server measures requests itself (`next start`).
 */
export function observeHttpRequest(input: { method: string; path: string; status: number; seconds: number; source: "server" | "handler" }): void {
  const instruments = metrics();
  if (input.source === "handler" && instruments.measuredByServer) return;
  const method = METHODS.has(input.method) ? input.method : "OTHER";
  instruments.httpDuration.observe({ method, route: routeTemplate(input.path, input.status), status: String(input.status) }, input.seconds);
}

/** The custom server measures every request (pages, assets, API); handlers then stay quiet. */
export function markRequestsMeasuredByServer(): void {
  metrics().measuredByServer = true;
}

export function observeDetectionRun(run: { status: string; cellsTested: number } | null, seconds: number): void {
  const instruments = metrics();
  const outcome = run?.status ?? "UNKNOWN";
  instruments.detectionRunDuration.observe({ outcome }, seconds);
  instruments.detectionRuns.inc({ outcome });
  if (run && run.cellsTested > 0) instruments.detectionCellsTested.inc(run.cellsTested);
}

/** A sign-in refused by a rate limit (SECURITY.md, "Sign-in audit flood"). */
export function countSignInRefused(limit: "pair" | "address" | "account"): void {
  metrics().signInRefused.inc({ limit });
}

export function observeWebhookAttempt(attemptNumber: number, resultingStatus: string): void {
  const instruments = metrics();
  instruments.webhookAttempts.inc({ outcome: resultingStatus });
  instruments.webhookAttemptNumber.observe({ outcome: resultingStatus }, attemptNumber);
}
