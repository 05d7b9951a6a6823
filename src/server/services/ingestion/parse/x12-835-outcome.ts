/**
 * Decides a service line's outcome from what the 835 says happened to its money.
 *
 * Claim status 4 ("denied") is not enough: payers routinely "process as primary" (status 1)
 * and pay nothing, explaining the refusal only in CAS adjustments. So the rule reads the
 * adjustments, sorting each into one of three kinds:
 *
 *   - pricing: the contract working as agreed, not a decision about this line
 *     (CARC 45 fee schedule, 42, 59 multiple-procedure rules, 94, 131 negotiated discount,
 *     144 incentive, 23 prior payer's adjudication, 237 legislated adjustment, 253 sequestration);
 *   - cost share: the patient's deductible / coinsurance / copay (CARC 1, 2, 3, 66);
 *   - denial: everything else in groups CO, PI, OA or PR — the payer refused to pay that
 *     money (CO-50 not medically necessary, CO-97 bundled, PR-204 not covered, OA-18
 *     duplicate...). Group CR only records corrections and is never a denial.
 *
 * Outcome:
 *   - PARTIAL: paid > 0 and some of the line was denied;
 *   - PAID:    paid > 0 otherwise;
 *   - DENIED:  nothing paid, and either the claim status is 4 or denials account for the
 *              charge, meaning they are at least as large as the patient's cost share (if the
 *              deductible swallowed most of it, the payer did not refuse the line);
 *   - OTHER:   the rest (everything to deductible, zero charges, predeterminations).
 * denialReason is the largest denial adjustment ("CO-50"); the earlier one wins a tie.
 */

export type TAdjustment = { group: string; reason: string; cents: number; line: number };
export type TLineOutcome = {
  outcome: "PAID" | "DENIED" | "PARTIAL" | "OTHER";
  denialReason?: string;
  /** Segment of the CAS that gave the denial reason, for error reports. */
  denialLine?: number;
};

const PRICING_REASONS = new Set(["23", "42", "45", "59", "94", "131", "144", "237", "253"]);
const COST_SHARE_REASONS = new Set(["1", "2", "3", "66"]);
const CLAIM_STATUS_DENIED = "4";

export function isDenialAdjustment(adjustment: TAdjustment): boolean {
  if (adjustment.group === "CR") return false;
  return !PRICING_REASONS.has(adjustment.reason) && !COST_SHARE_REASONS.has(adjustment.reason);
}

function isCostShare(adjustment: TAdjustment): boolean {
  return adjustment.group === "PR" && COST_SHARE_REASONS.has(adjustment.reason);
}

export function classifyServiceLine(input: { paidCents: number; claimStatus: string; adjustments: readonly TAdjustment[] }): TLineOutcome {
  let denied = 0;
  let costShare = 0;
  let largest: TAdjustment | undefined;
  for (const adjustment of input.adjustments) {
    // Negative adjustments give money back; they never explain a refusal.
    if (adjustment.cents <= 0) continue;
    if (isCostShare(adjustment)) costShare += adjustment.cents;
    if (!isDenialAdjustment(adjustment)) continue;
    denied += adjustment.cents;
    if (!largest || adjustment.cents > largest.cents) largest = adjustment;
  }
  const reason = largest ? { denialReason: `${largest.group}-${largest.reason}`, denialLine: largest.line } : {};
  if (input.paidCents > 0) return denied > 0 ? { outcome: "PARTIAL", ...reason } : { outcome: "PAID" };
  if (input.claimStatus === CLAIM_STATUS_DENIED || (denied > 0 && denied >= costShare)) {
    return { outcome: "DENIED", ...reason };
  }
  return { outcome: "OTHER" };
}
