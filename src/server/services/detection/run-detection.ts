import { db, type TDb } from "@/server/db/client";
import { retryWriteConflicts, transactionSettings } from "@/server/db/transaction";
import { getSettings } from "@/server/services/settings/settings";
import { assembleCells } from "./assemble-cells";
import { computeWindows, type TWindows } from "./compute-windows";
import { evaluateCells } from "./evaluate-cells";
import { enqueueRunCompletedWebhooks } from "./lifecycle-webhooks";
import { onDriftEventsChanged, type TDriftEventsChangedHook } from "./on-drift-events-changed";
import { queryCellMetrics } from "./query-cell-metrics";
import { computeRootCauses } from "./root-cause/compute-root-causes";
import { writeDriftEvents } from "./write-drift-events";

/**
 * One detection pass over a tenant: the aggregate SQL and the statistics run outside any
 * transaction (no locks held while Postgres aggregates); then ONE short transaction locks,
 * writes the events, calls the alert hook and — when `runId` is given — marks the run
 * SUCCEEDED with its counts and summary, so the events and the run's record commit together —
 * with the outbox rows of the alerts, drift.detected / drift.resolved and run.completed.
 * Deadlocks and serialization failures retry the transaction with jittered backoff.
 *
 * Callers: executeDetectionRun in detection-runs.ts (queued runs, CLI) and tests, which call it directly (without a
 * run row) to race many passes for one tenant.
 */

export interface TRunDetectionOptions {
  asOf?: Date | string;
  windows?: TWindows;
  runId?: string | null;
  /** Another Prisma client (a separate pool), e.g. to race passes on separate connections. */
  client?: TDb;
  onChanged?: TDriftEventsChangedHook;
}

export interface TRunOutcome {
  windows: TWindows;
  cellsTested: number;
  cellsSkipped: number;
  eventsOpened: number;
  eventsUpdated: number;
  eventsResolved: number;
  summary: Record<string, unknown>;
}

export async function runDetection(customerId: string, options: TRunDetectionOptions = {}): Promise<TRunOutcome> {
  const client = options.client ?? db();
  const settings = await getSettings(customerId);
  const windows = options.windows ?? computeWindows(options.asOf ?? new Date(), settings);
  const started = performance.now();
  const metrics = await queryCellMetrics(client, customerId, windows);
  const aggregated = performance.now();
  const cells = assembleCells(metrics.counts, metrics.payments, metrics.underpayments);
  const evaluation = evaluateCells(cells, settings);
  const evaluated = performance.now();
  // Root causes of the findings only, before the write transaction (no locks held meanwhile).
  const rootCauses = await computeRootCauses(client, customerId, windows, evaluation.findings);
  const explained = performance.now();

  const baselineLines = cells.reduce((sum, cell) => sum + cell.baseline.lines, 0);
  const currentLines = cells.reduce((sum, cell) => sum + cell.current.lines, 0);
  const status = cells.length === 0 ? "NO_DATA" : evaluation.cellsTested === 0 ? "TOO_LITTLE_DATA" : "OK";
  const message = {
    NO_DATA: "No claim lines were decided in the baseline or the current window: nothing to compare.",
    TOO_LITTLE_DATA: `Too little data: no (payer, CPT group) cell has ${settings.minSample} decided lines in both windows.`,
    OK: `${evaluation.cellsTested} cells tested with ${evaluation.tests} tests; ${evaluation.findings.length} drifts found.`,
  }[status];

  const written = await retryWriteConflicts(() =>
    client.$transaction(
      async (tx) => {
        const result = await writeDriftEvents(
          tx,
          { customerId, runId: options.runId ?? null, windows, findings: evaluation.findings, evaluated: evaluation.evaluated, rootCauses },
          options.onChanged ?? onDriftEventsChanged,
        );
        const summary = {
          status,
          message,
          lines: { baseline: baselineLines, current: currentLines },
          cells: { total: evaluation.cellsTotal, tested: evaluation.cellsTested, skipped: evaluation.cellsSkipped },
          tests: { total: evaluation.tests, byType: evaluation.testsByType },
          settings: { minSample: settings.minSample, fdrQ: settings.fdrQ, baselineDays: settings.baselineDays, currentDays: settings.currentDays },
          findings: evaluation.findings.map((f) => ({
            payerId: f.payerId,
            cptGroup: f.cptGroup,
            driftType: f.driftType,
            denialReason: f.denialReason,
            direction: f.direction,
            delta: f.delta,
            qValue: f.qValue,
          })),
          timingsMs: {
            aggregate: Math.round(aggregated - started),
            evaluate: Math.round(evaluated - aggregated),
            rootCause: Math.round(explained - evaluated),
            write: Math.round(performance.now() - explained),
          },
        };
        if (options.runId) {
          const finished = await tx.$executeRaw`
          UPDATE detection_runs SET status = 'SUCCEEDED', finished_at = greatest(clock_timestamp(), started_at),
            baseline_start = ${windows.baselineStart}::date, baseline_end = ${windows.baselineEnd}::date,
            current_start = ${windows.currentStart}::date, current_end = ${windows.currentEnd}::date,
            cells_tested = ${evaluation.cellsTested}, cells_skipped = ${evaluation.cellsSkipped},
            events_opened = ${result.opened}, events_updated = ${result.updated}, events_resolved = ${result.resolved},
            summary = ${JSON.stringify(summary)}::jsonb, error = NULL
          WHERE id = ${options.runId}::uuid AND customer_id = ${customerId}::uuid AND status = 'RUNNING'`;
          // Swept FAILED meanwhile (taken for dead): its end was announced; roll these writes back.
          if (finished !== 1) throw new Error(`run ${options.runId} is no longer RUNNING`);
          await enqueueRunCompletedWebhooks(tx, customerId, options.runId);
        }
        return { ...result, summary };
      },
      transactionSettings({ timeoutMs: 60_000 }),
    ),
  );

  return {
    windows,
    cellsTested: evaluation.cellsTested,
    cellsSkipped: evaluation.cellsSkipped,
    eventsOpened: written.opened,
    eventsUpdated: written.updated,
    eventsResolved: written.resolved,
    summary: written.summary,
  };
}
