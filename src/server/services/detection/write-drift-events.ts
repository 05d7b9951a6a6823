import { Prisma } from "@/generated/prisma/client";
import type { TTx } from "@/server/db/client";
import { lockRows } from "@/server/db/locks";
import type { TWindows } from "./compute-windows";
import { eventKey, type TFinding } from "./evaluate-cells";
import { enqueueDriftEventWebhooks } from "./lifecycle-webhooks";
import type { TDriftEventChange, TDriftEventsChangedHook } from "./on-drift-events-changed";
import type { TRootCause } from "./root-cause/root-cause-shape";
import type { TDriftType } from "./measure-cell-drift";

/**
 * Applies a run's findings to the tenant's drift events, inside the caller's transaction, in the
 * documented lock order (src/server/db/locks.ts): the Customer row first — which serialises
 * every run of the tenant — then its ACTIVE drift events in ascending id order. Then
 *   - one INSERT … ON CONFLICT against the partial unique index drift_events_one_active opens
 *     new events and updates re-detected ones (consecutive_periods grows only when the current
 *     window moved on, so re-running a day does not count twice; a run on an older window than
 *     the event's never overwrites it),
 *   - ACTIVE events the run evaluated but no longer found are resolved,
 *   - the alert hook sees every opened, updated and resolved event, in the same transaction,
 *   - then drift.detected (opened events) and drift.resolved go to the outbox for the endpoints
 *     subscribed to them, independently of alert rules (lifecycle-webhooks.ts).
 * The unique index stays the last line of defence if some path skipped the locks.
 */

export interface TWriteResult {
  opened: number;
  updated: number;
  resolved: number;
  changes: TDriftEventChange[];
}

interface TActiveRow {
  id: string;
  payer_id: string;
  cpt_group: string;
  drift_type: TDriftType;
  current_end: Date;
}

export async function writeDriftEvents(
  tx: TTx,
  input: {
    customerId: string;
    runId: string | null;
    windows: TWindows;
    findings: readonly TFinding[];
    evaluated: ReadonlySet<string>;
    /** Per eventKey; stored with the event it explains (root-cause/compute-root-causes.ts). */
    rootCauses?: ReadonlyMap<string, TRootCause>;
  },
  hook: TDriftEventsChangedHook,
): Promise<TWriteResult> {
  const { customerId, runId, windows } = input;
  const locked = await lockRows(tx, "customers", [customerId]);
  if (locked.length === 0) throw new Error(`customer ${customerId} does not exist`);

  // Under the Customer lock no other run can open or resolve this tenant's events.
  const activeIds = await tx.$queryRaw<Array<{ id: string }>>`
    SELECT id::text AS id FROM drift_events WHERE customer_id = ${customerId}::uuid AND status = 'ACTIVE'`;
  await lockRows(
    tx,
    "drift_events",
    activeIds.map((row) => row.id),
  );
  const active = await tx.$queryRaw<TActiveRow[]>`
    SELECT id::text AS id, payer_id::text AS payer_id, cpt_group, drift_type::text AS drift_type, current_end
    FROM drift_events WHERE customer_id = ${customerId}::uuid AND status = 'ACTIVE' ORDER BY id`;

  const changes: TDriftEventChange[] = [];
  let opened = 0;
  let updated = 0;
  if (input.findings.length > 0) {
    const rows = input.findings.map((f) => ({
      payer_id: f.payerId,
      cpt_group: f.cptGroup,
      drift_type: f.driftType,
      denial_reason: f.denialReason,
      baseline_value: f.baselineValue,
      current_value: f.currentValue,
      delta: f.delta,
      delta_ci_low: f.deltaCi[0],
      delta_ci_high: f.deltaCi[1],
      p_value: f.pValue,
      q_value: f.qValue,
      severity: f.severity,
      direction: f.direction,
      estimated_revenue_impact: f.estimatedRevenueImpact.toFixed(2),
      baseline_sample_size: f.baselineSampleSize,
      current_sample_size: f.currentSampleSize,
      root_cause: input.rootCauses?.get(eventKey(f.payerId, f.cptGroup, f.driftType)) ?? null,
      baseline_mean_variance: f.meanVariance?.[0] ?? null,
      current_mean_variance: f.meanVariance?.[1] ?? null,
    }));
    const upserted = await tx.$queryRaw<Array<{ id: string; inserted: boolean; payer_id: string; cpt_group: string; drift_type: TDriftType }>>`
      INSERT INTO drift_events AS e (
        customer_id, payer_id, cpt_group, drift_type, denial_reason, baseline_value, current_value, delta,
        delta_ci_low, delta_ci_high, p_value, q_value, severity, direction, estimated_revenue_impact,
        baseline_sample_size, current_sample_size, baseline_start, baseline_end, current_start, current_end,
        first_detected_at, last_detected_at, first_run_id, last_run_id, root_cause, baseline_mean_variance, current_mean_variance)
      SELECT ${customerId}::uuid, f.payer_id, f.cpt_group, f.drift_type::drift_type, f.denial_reason, f.baseline_value,
             f.current_value, f.delta, f.delta_ci_low, f.delta_ci_high, f.p_value, f.q_value, f.severity,
             f.direction::drift_direction, f.estimated_revenue_impact, f.baseline_sample_size, f.current_sample_size,
             ${windows.baselineStart}::date, ${windows.baselineEnd}::date, ${windows.currentStart}::date, ${windows.currentEnd}::date,
             clock_timestamp(), clock_timestamp(), ${runId}::uuid, ${runId}::uuid, f.root_cause, f.baseline_mean_variance, f.current_mean_variance
      FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS f(
        payer_id uuid, cpt_group text, drift_type text, denial_reason text, baseline_value float8, current_value float8,
        delta float8, delta_ci_low float8, delta_ci_high float8, p_value float8, q_value float8, severity float8,
        direction text, estimated_revenue_impact numeric, baseline_sample_size int, current_sample_size int, root_cause jsonb,
        baseline_mean_variance numeric, current_mean_variance numeric)
      ON CONFLICT (customer_id, payer_id, cpt_group, drift_type) WHERE status = 'ACTIVE' DO UPDATE SET
        denial_reason = EXCLUDED.denial_reason, baseline_value = EXCLUDED.baseline_value,
        current_value = EXCLUDED.current_value, delta = EXCLUDED.delta, delta_ci_low = EXCLUDED.delta_ci_low,
        delta_ci_high = EXCLUDED.delta_ci_high, p_value = EXCLUDED.p_value, q_value = EXCLUDED.q_value,
        severity = EXCLUDED.severity, direction = EXCLUDED.direction,
        estimated_revenue_impact = EXCLUDED.estimated_revenue_impact,
        baseline_sample_size = EXCLUDED.baseline_sample_size, current_sample_size = EXCLUDED.current_sample_size,
        baseline_mean_variance = EXCLUDED.baseline_mean_variance, current_mean_variance = EXCLUDED.current_mean_variance,
        baseline_start = EXCLUDED.baseline_start, baseline_end = EXCLUDED.baseline_end,
        current_start = EXCLUDED.current_start, current_end = EXCLUDED.current_end,
        consecutive_periods = e.consecutive_periods + CASE WHEN EXCLUDED.current_end > e.current_end THEN 1 ELSE 0 END,
        last_detected_at = greatest(clock_timestamp(), e.first_detected_at),
        last_run_id = EXCLUDED.last_run_id, root_cause = EXCLUDED.root_cause, updated_at = now()
      WHERE EXCLUDED.current_end >= e.current_end
      RETURNING e.id::text AS id, (e.xmax = 0) AS inserted, e.payer_id::text AS payer_id, e.cpt_group, e.drift_type::text AS drift_type`;
    for (const row of upserted) {
      if (row.inserted) opened += 1;
      else updated += 1;
      changes.push({
        id: row.id,
        kind: row.inserted ? "OPENED" : "UPDATED",
        customerId,
        payerId: row.payer_id,
        cptGroup: row.cpt_group,
        driftType: row.drift_type,
      });
    }
  }

  const found = new Set(input.findings.map((f) => eventKey(f.payerId, f.cptGroup, f.driftType)));
  const vanished = active.filter((row) => {
    const key = eventKey(row.payer_id, row.cpt_group, row.drift_type);
    return input.evaluated.has(key) && !found.has(key) && row.current_end.toISOString().slice(0, 10) <= windows.currentEnd;
  });
  if (vanished.length > 0) {
    await tx.$executeRaw`
      UPDATE drift_events SET status = 'RESOLVED', resolved_at = greatest(clock_timestamp(), last_detected_at),
        last_run_id = coalesce(${runId}::uuid, last_run_id), updated_at = now()
      WHERE customer_id = ${customerId}::uuid AND status = 'ACTIVE' AND id IN (${Prisma.join(vanished.map((row) => Prisma.sql`${row.id}::uuid`))})`;
    for (const row of vanished) {
      changes.push({ id: row.id, kind: "RESOLVED", customerId, payerId: row.payer_id, cptGroup: row.cpt_group, driftType: row.drift_type });
    }
  }

  if (changes.length > 0) {
    await hook(tx, changes);
    await enqueueDriftEventWebhooks(tx, customerId, changes);
  }
  return { opened, updated, resolved: vanished.length, changes };
}
