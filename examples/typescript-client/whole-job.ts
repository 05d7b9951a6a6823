/**
 * An outside program using the Driftline REST API through a typed client: the types in
 * driftline-api.d.ts are generated from GET /api/v1/openapi.json by openapi-typescript, and
 * openapi-fetch turns them into a fetch wrapper that knows every path, parameter and body.
 *
 * The whole job of a billing integration, in order:
 *   1. upload an X12 835 remittance file,
 *   2. start a detection run (or join the one the upload started),
 *   3. wait until it has finished,
 *   4. list the active drift events,
 *   5. acknowledge an alert,
 *   6. page through the uploaded file's claim lines by cursor.
 *
 * Run it against a server: DRIFTLINE_URL=http://localhost:3000/api/v1 DRIFTLINE_API_KEY=dl_…
 *   npx tsx examples/typescript-client/whole-job.ts path/to/remittance.835
 * It imports nothing from Driftline's own code: copy this folder into your project.
 */
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import createClient from "openapi-fetch";
import type { components, paths } from "./driftline-api";

export type TProblem = components["schemas"]["Problem"];
type TRun = paths["/reports/{id}"]["get"]["responses"][200]["content"]["application/json"];
type TDriftEvent = paths["/drift-events/active"]["get"]["responses"][200]["content"]["application/json"]["items"][number];
type TClaimLine = paths["/claims"]["get"]["responses"][200]["content"]["application/json"]["items"][number];

export interface TWholeJobOptions {
  /** The REST API's base URL, e.g. https://driftline.example/api/v1 */
  baseUrl: string;
  /** An API key with the ANALYST role (uploads, runs, alerts and claim lines). */
  apiKey: string;
  /** The 835 file's text and the name to store it under. */
  x12: string;
  filename: string;
  /** Claim lines per page (at most 100). */
  pageSize?: number;
  /** How often to ask whether the run has finished, and for how long at most. */
  pollIntervalMs?: number;
  timeoutMs?: number;
  log?: (line: string) => void;
}

export interface TWholeJobResult {
  upload: { id: string; status: string; replayed: boolean; insertedCount: number };
  run: { id: string; status: TRun["status"]; joined: boolean; eventsOpened: number };
  activeDriftEvents: Pick<TDriftEvent, "id" | "driftType" | "cptGroup" | "severity">[];
  acknowledgedAlert: { id: string; status: string; acknowledgedAt: string | null } | null;
  claimPages: number;
  claimLines: Pick<TClaimLine, "id" | "submitterClaimId" | "outcome">[];
}

/** An answer that is not a success: the API's problem+json body (code, detail, requestId, field errors). */
export class DriftlineApiError extends Error {
  constructor(
    readonly step: string,
    readonly status: number,
    readonly problem: Partial<TProblem> | undefined,
  ) {
    super(`${step}: HTTP ${status} ${problem?.code ?? ""} ${problem?.detail ?? ""} (request ${problem?.requestId ?? "?"})`.trim());
  }
}

/** openapi-fetch answers `{ data }` or `{ error }`; this turns the latter into a thrown error. */
function ok<T>(step: string, result: { data?: T; error?: unknown; response: Response }): T {
  if (result.data === undefined || result.error !== undefined)
    throw new DriftlineApiError(step, result.response.status, result.error as Partial<TProblem> | undefined);
  return result.data;
}

const FINISHED = new Set<TRun["status"]>(["SUCCEEDED", "FAILED"]);

export async function runWholeJob(options: TWholeJobOptions): Promise<TWholeJobResult> {
  const log = options.log ?? (() => {});
  const client = createClient<paths>({ baseUrl: options.baseUrl, headers: { authorization: `Bearer ${options.apiKey}` } });

  // 1. The file goes as the raw body; its format is detected from the ISA segment. Sending the
  // same file again is safe: the answer is the earlier upload with `replayed: true`.
  const uploaded = ok(
    "upload",
    await client.POST("/uploads", {
      body: options.x12,
      bodySerializer: (body) => body,
      headers: { "content-type": "application/edi-x12", "x-filename": options.filename },
    }),
  );
  log(`upload ${uploaded.upload.id}: ${uploaded.upload.status}, ${uploaded.insertedCount ?? 0} claim lines new${uploaded.replayed ? " (replayed)" : ""}`);

  // 2. An upload queues a run itself; triggering then returns that run (`created: false`).
  const triggered = ok("trigger run", await client.POST("/reports/trigger"));
  log(`run ${triggered.id}: ${triggered.status}${triggered.created ? "" : " (already queued)"}`);

  // 3. Runs are asynchronous: poll until it has finished.
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  let run: TRun = triggered;
  while (!FINISHED.has(run.status)) {
    if (Date.now() > deadline) throw new Error(`run ${run.id} still ${run.status} after ${options.timeoutMs ?? 120_000} ms`);
    await new Promise((resolve) => setTimeout(resolve, options.pollIntervalMs ?? 1000));
    run = ok("get run", await client.GET("/reports/{id}", { params: { path: { id: triggered.id } } }));
  }
  log(`run ${run.id}: ${run.status}, ${run.eventsOpened} drift events opened${run.error ? `: ${run.error}` : ""}`);

  // 4. Active drift events, most severe first.
  const active = ok("active drift events", await client.GET("/drift-events/active", { params: { query: { limit: 20 } } }));
  for (const event of active.items)
    log(`drift: ${event.payer.name} ${event.cptGroup} ${event.driftType} ${event.direction} severity ${event.severity.toFixed(2)}`);

  // 5. Alerts that still want a person; acknowledging says someone is on it (idempotent).
  const alerts = ok("active alerts", await client.GET("/alerts/active", { params: { query: { limit: 1 } } }));
  let acknowledgedAlert: TWholeJobResult["acknowledgedAlert"] = null;
  const first = alerts.items[0];
  if (first) {
    const alert = ok("acknowledge alert", await client.POST("/alerts/{id}/acknowledge", { params: { path: { id: first.id } } }));
    acknowledgedAlert = { id: alert.id, status: alert.status, acknowledgedAt: alert.acknowledgedAt };
    log(`alert ${alert.id} (${alert.rule.name}): ${alert.status}`);
  }

  // 6. Claim lines of this upload, a page at a time: pass `nextCursor` back until it is null.
  const claimLines: TWholeJobResult["claimLines"] = [];
  let cursor: string | undefined;
  let claimPages = 0;
  do {
    const page = ok(
      "claim lines",
      await client.GET("/claims", { params: { query: { uploadId: uploaded.upload.id, limit: options.pageSize ?? 100, cursor } } }),
    );
    claimPages += 1;
    claimLines.push(...page.items.map(({ id, submitterClaimId, outcome }) => ({ id, submitterClaimId, outcome })));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  log(`${claimLines.length} claim lines in ${claimPages} pages`);

  return {
    upload: { id: uploaded.upload.id, status: uploaded.upload.status, replayed: uploaded.replayed, insertedCount: uploaded.insertedCount ?? 0 },
    run: { id: run.id, status: run.status, joined: !triggered.created, eventsOpened: run.eventsOpened },
    activeDriftEvents: active.items.map(({ id, driftType, cptGroup, severity }) => ({ id, driftType, cptGroup, severity })),
    acknowledgedAlert,
    claimPages,
    claimLines,
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [file] = process.argv.slice(2);
  const baseUrl = process.env.DRIFTLINE_URL;
  const apiKey = process.env.DRIFTLINE_API_KEY;
  if (!file || !baseUrl || !apiKey) {
    console.error("usage: DRIFTLINE_URL=…/api/v1 DRIFTLINE_API_KEY=dl_… npx tsx examples/typescript-client/whole-job.ts FILE.835");
    process.exit(2);
  }
  const result = await runWholeJob({ baseUrl, apiKey, x12: await readFile(file, "utf8"), filename: file.split("/").pop()!, log: (line) => console.log(line) });
  console.log(JSON.stringify(result, null, 2));
}
