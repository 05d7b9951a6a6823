import type { TTx } from "@/server/db/client";
import type { TDriftEventSummary } from "./drift-event-summary";

/**
 * Why a new alert should be suppressed, keyed "ruleId:driftEventId" (PRODUCT.md §4), per
 * (rule, payer, CPT group, drift type):
 *   - cooldown: an unsuppressed alert of the same key was created within the rule's cooldown;
 *   - noise: people gave >= 2 NOISE verdicts in the last 30 days on alerts of the same key.
 * Suppressed alerts are kept, with the reason, and send nothing.
 */
export const NOISE_VERDICTS_TO_SUPPRESS = 2;
export const NOISE_WINDOW_DAYS = 30;

export async function findSuppressions(
  tx: TTx,
  customerId: string,
  candidates: readonly { ruleId: string; drift: TDriftEventSummary; cooldownMinutes: number }[],
): Promise<Map<string, string>> {
  if (candidates.length === 0) return new Map();
  const json = JSON.stringify(
    candidates.map((c) => ({
      rule_id: c.ruleId,
      drift_event_id: c.drift.id,
      payer_id: c.drift.payer.id,
      cpt_group: c.drift.cptGroup,
      drift_type: c.drift.driftType,
      cooldown: c.cooldownMinutes,
    })),
  );
  const rows = await tx.$queryRaw<{ key: string; cooldown_since: Date | null; noise: number }[]>`
    SELECT c.rule_id::text || ':' || c.drift_event_id::text AS key,
      (SELECT max(a.created_at) FROM alert_events a JOIN drift_events d ON d.id = a.drift_event_id
        WHERE a.customer_id = ${customerId}::uuid AND a.rule_id = c.rule_id AND NOT a.suppressed AND a.drift_event_id <> c.drift_event_id
          AND d.payer_id = c.payer_id AND d.cpt_group = c.cpt_group AND d.drift_type = c.drift_type::drift_type
          AND a.created_at > now() - make_interval(mins => c.cooldown)) AS cooldown_since,
      (SELECT count(*) FROM alert_feedback f JOIN alert_events a ON a.id = f.alert_event_id JOIN drift_events d ON d.id = a.drift_event_id
        WHERE f.customer_id = ${customerId}::uuid AND a.rule_id = c.rule_id AND f.verdict = 'NOISE'
          AND f.updated_at > now() - make_interval(days => ${NOISE_WINDOW_DAYS})
          AND d.payer_id = c.payer_id AND d.cpt_group = c.cpt_group AND d.drift_type = c.drift_type::drift_type)::int AS noise
    FROM jsonb_to_recordset(${json}::jsonb) AS c(rule_id uuid, drift_event_id uuid, payer_id uuid, cpt_group text, drift_type text, cooldown int)`;
  const reasons = new Map<string, string>();
  for (const row of rows) {
    if (row.noise >= NOISE_VERDICTS_TO_SUPPRESS) {
      reasons.set(row.key, `noise: ${row.noise} NOISE verdicts in the last ${NOISE_WINDOW_DAYS} days for this rule, payer, CPT group and drift type`);
    } else if (row.cooldown_since) {
      reasons.set(row.key, `cooldown: an alert for this rule, payer, CPT group and drift type was raised at ${row.cooldown_since.toISOString()}`);
    }
  }
  return reasons;
}
