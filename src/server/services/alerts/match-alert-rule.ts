import type { TDriftEventSummary } from "./drift-event-summary";

/** The parts of a rule that decide whether a drift event concerns it (PRODUCT.md §4). */
export interface TRuleCriteria {
  payerId: string | null;
  cptGroup: string | null;
  /** Empty: every drift type. */
  driftTypes: readonly string[];
  minSeverity: number | null;
  minAbsDelta: number | null;
  minRevenueImpact: string | number | { toString(): string } | null;
  maxQValue: number | null;
}

/** Scope (payer, CPT group, drift types) and conditions (severity, |delta|, revenue impact, q). */
export function matchesAlertRule(rule: TRuleCriteria, event: TDriftEventSummary): boolean {
  if (rule.payerId && rule.payerId !== event.payer.id) return false;
  if (rule.cptGroup && rule.cptGroup !== event.cptGroup) return false;
  if (rule.driftTypes.length > 0 && !rule.driftTypes.includes(event.driftType)) return false;
  if (rule.minSeverity !== null && event.severity < rule.minSeverity) return false;
  if (rule.minAbsDelta !== null && Math.abs(event.delta) < rule.minAbsDelta) return false;
  if (rule.minRevenueImpact !== null && Math.abs(Number(event.estimatedRevenueImpact)) < Number(String(rule.minRevenueImpact))) return false;
  if (rule.maxQValue !== null && event.qValue > rule.maxQValue) return false;
  return true;
}
