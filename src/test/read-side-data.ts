import { db } from "@/server/db/client";

/**
 * Read-side test data for one tenant, written with set-based SQL (generate_series) so hundreds
 * of rows cost one statement: tenant-private payers with mappings, an upload, claim lines over
 * the last 200 days, drift events (a few ACTIVE, the rest RESOLVED history), an alert rule with
 * one alert per event, and finished detection runs.
 */

export interface TReadSideOptions {
  payers?: number;
  linesPerPayer?: number;
  driftEvents?: number;
  activeDriftEvents?: number;
  runs?: number;
}

export interface TReadSideData {
  payerIds: string[];
  uploadId: string;
  ruleId: string;
}

const DRIFT_TYPES = ["DENIAL_RATE", "PAYMENT_AMOUNT", "DECISION_TIME", "DENIAL_REASON"] as const;

export async function seedReadSide(customerId: string, options: TReadSideOptions = {}): Promise<TReadSideData> {
  const payers = options.payers ?? 3;
  const linesPerPayer = options.linesPerPayer ?? 200;
  const driftEvents = options.driftEvents ?? 0;
  const activeDriftEvents = Math.min(options.activeDriftEvents ?? Math.min(driftEvents, 2), driftEvents, payers * DRIFT_TYPES.length);
  const runs = options.runs ?? 0;
  const client = db();

  const payerRows = await client.$queryRaw<{ id: string }[]>`
    INSERT INTO payers (customer_id, name)
    SELECT ${customerId}::uuid, 'Test payer ' || lpad(g::text, 3, '0') || ' ' || left(gen_random_uuid()::text, 6) FROM generate_series(1, ${payers}::int) g
    RETURNING id`;
  const payerIds = payerRows.map((row) => row.id);
  await client.$executeRaw`
    INSERT INTO payer_mappings (customer_id, raw_name, normalized_name, payer_id)
    SELECT ${customerId}::uuid, p.name, lower(p.name), p.id FROM payers p WHERE p.id = ANY(${payerIds}::uuid[])`;
  const [upload] = await client.$queryRaw<{ id: string }[]>`
    INSERT INTO uploads (customer_id, filename, format, size_bytes, content_hash, status, row_count, applied_count, completed_at)
    VALUES (${customerId}::uuid, 'read-side.csv', 'CSV', 0, gen_random_uuid()::text, 'APPLIED', ${payers * linesPerPayer}::int, ${payers * linesPerPayer}::int, now())
    RETURNING id`;
  const uploadId = upload!.id;

  // Outcomes cycle PAID ×7, DENIED, PARTIAL, OTHER: a 10 % denial rate in every payer and window.
  await client.$executeRaw`
    INSERT INTO claim_lines (customer_id, upload_id, submitter_claim_id, line_number, payer_id, payer_mapping_id, cpt_code, cpt_group,
      service_date, submitted_at, decided_at, billed_amount, allowed_amount, paid_amount, outcome, denial_group, denial_code)
    SELECT ${customerId}::uuid, ${uploadId}::uuid, 'C-' || m.payer_id || '-' || g, 1, m.payer_id, m.id, '99213', 'EM',
      current_date - (g % 200) - (g % 20) - 2, current_date - (g % 200) - (g % 20), current_date - (g % 200),
      200, CASE WHEN g % 10 = 7 THEN NULL ELSE 100 + (g % 7) END,
      CASE g % 10 WHEN 7 THEN 0 WHEN 8 THEN 50 WHEN 9 THEN 0 ELSE 100 + (g % 7) END,
      (CASE g % 10 WHEN 7 THEN 'DENIED' WHEN 8 THEN 'PARTIAL' WHEN 9 THEN 'OTHER' ELSE 'PAID' END)::claim_outcome,
      CASE WHEN g % 10 = 7 THEN 'CO' END, CASE WHEN g % 10 = 7 THEN '97' END
    FROM payer_mappings m CROSS JOIN generate_series(1, ${linesPerPayer}::int) g
    WHERE m.customer_id = ${customerId}::uuid AND m.payer_id = ANY(${payerIds}::uuid[])`;

  const [rule] = await client.$queryRaw<{ id: string }[]>`
    INSERT INTO alert_rules (customer_id, name) VALUES (${customerId}::uuid, 'Every drift ' || gen_random_uuid()) RETURNING id`;
  const ruleId = rule!.id;

  if (driftEvents > 0) {
    // Event i: payer i % payers, type (i / payers) % 4; the first `activeDriftEvents` are ACTIVE
    // (distinct cells), the rest RESOLVED history. Detection times step back one minute each.
    await client.$executeRaw`
      INSERT INTO drift_events (customer_id, payer_id, cpt_group, drift_type, status, denial_reason, baseline_value, current_value, delta,
        delta_ci_low, delta_ci_high, p_value, q_value, severity, direction, estimated_revenue_impact, baseline_sample_size, current_sample_size,
        baseline_start, baseline_end, current_start, current_end, first_detected_at, last_detected_at, resolved_at)
      SELECT ${customerId}::uuid, (${payerIds}::uuid[])[1 + (i % ${payers}::int)], 'EM',
        (ARRAY['DENIAL_RATE', 'PAYMENT_AMOUNT', 'DECISION_TIME', 'DENIAL_REASON'])[1 + ((i / ${payers}::int) % 4)]::drift_type,
        (CASE WHEN i < ${activeDriftEvents}::int THEN 'ACTIVE' ELSE 'RESOLVED' END)::drift_status,
        CASE WHEN (i / ${payers}::int) % 4 = 3 THEN 'CO-197' END,
        0.08, 0.19, 0.11, 0.07, 0.15, 0.0001, 0.001, 0.2 + (i % 8) / 10.0, 'UP', 1000 + i * 10, 900, 240,
        current_date - 104, current_date - 15, current_date - 14, current_date - 1,
        now() - (i || ' minutes')::interval - interval '1 day', now() - (i || ' minutes')::interval,
        CASE WHEN i < ${activeDriftEvents}::int THEN NULL ELSE now() END
      FROM generate_series(0, ${driftEvents - 1}::int) i`;
    await client.$executeRaw`
      INSERT INTO alert_events (customer_id, rule_id, drift_event_id, status, created_at)
      SELECT ${customerId}::uuid, ${ruleId}::uuid, d.id, 'PENDING', d.last_detected_at
      FROM drift_events d WHERE d.customer_id = ${customerId}::uuid`;
  }
  if (runs > 0) {
    await client.$executeRaw`
      INSERT INTO detection_runs (customer_id, trigger, status, queued_at, started_at, finished_at, cells_tested, events_opened)
      SELECT ${customerId}::uuid, 'SCHEDULED', 'SUCCEEDED', now() - (i || ' hours')::interval, now() - (i || ' hours')::interval,
             now() - (i || ' hours')::interval + interval '2 seconds', 40, i % 3
      FROM generate_series(1, ${runs}::int) i`;
  }
  return { payerIds, uploadId, ruleId };
}
