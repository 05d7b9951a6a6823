import type { TSqlTx } from "@/server/db/client";

/**
 * The drift-event fields alerts are judged on and that webhook payloads carry: aggregates only,
 * never PHI.
 */
export interface TDriftEventSummary {
  id: string;
  payer: { id: string; name: string };
  cptGroup: string;
  driftType: string;
  status: string;
  denialReason: string | null;
  baselineValue: number;
  currentValue: number;
  delta: number;
  qValue: number;
  severity: number;
  direction: string;
  estimatedRevenueImpact: string;
  firstDetectedAt: string;
  lastDetectedAt: string;
  resolvedAt: string | null;
}

export async function readDriftEventSummaries(tx: TSqlTx, customerId: string, ids: readonly string[]): Promise<Map<string, TDriftEventSummary>> {
  if (ids.length === 0) return new Map();
  const rows = await tx.$queryRaw<
    Array<{
      id: string;
      payer_id: string;
      payer_name: string;
      cpt_group: string;
      drift_type: string;
      status: string;
      denial_reason: string | null;
      baseline_value: number;
      current_value: number;
      delta: number;
      q_value: number;
      severity: number;
      direction: string;
      estimated_revenue_impact: string;
      first_detected_at: Date;
      last_detected_at: Date;
      resolved_at: Date | null;
    }>
  >`
    SELECT d.id::text AS id, d.payer_id::text AS payer_id, p.name AS payer_name, d.cpt_group, d.drift_type::text AS drift_type,
      d.status::text AS status, d.denial_reason, d.baseline_value, d.current_value, d.delta, d.q_value, d.severity,
      d.direction::text AS direction, d.estimated_revenue_impact::text AS estimated_revenue_impact, d.first_detected_at,
      d.last_detected_at, d.resolved_at
    FROM drift_events d JOIN payers p ON p.id = d.payer_id
    WHERE d.customer_id = ${customerId}::uuid AND d.id = ANY(${[...ids]}::uuid[])`;
  return new Map(
    rows.map((r) => [
      r.id,
      {
        id: r.id,
        payer: { id: r.payer_id, name: r.payer_name },
        cptGroup: r.cpt_group,
        driftType: r.drift_type,
        status: r.status,
        denialReason: r.denial_reason,
        baselineValue: r.baseline_value,
        currentValue: r.current_value,
        delta: r.delta,
        qValue: r.q_value,
        severity: r.severity,
        direction: r.direction,
        estimatedRevenueImpact: r.estimated_revenue_impact,
        firstDetectedAt: r.first_detected_at.toISOString(),
        lastDetectedAt: r.last_detected_at.toISOString(),
        resolvedAt: r.resolved_at?.toISOString() ?? null,
      },
    ]),
  );
}
