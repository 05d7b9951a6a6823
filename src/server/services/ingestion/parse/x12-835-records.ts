import type { TAdjustment } from "./x12-835-outcome";
import { componentsAt, elementAt, type TX12Segment } from "./x12-tokenizer";
import { x12Cents } from "./x12-values";

/** The records an 835 is read into, and the readers for the segments that start them. */

/** A value with where it came from, so validation errors can point at the segment. */
export type TSourced = { value: string; line: number; field: string };

export type TServiceRecord = {
  svc: TX12Segment;
  qualifier: string;
  code: string;
  /** SVC01-3..6: the procedure modifiers, in billed order (empty components left out). */
  modifiers: string[];
  charge: TSourced;
  paid: TSourced;
  paidCents: number;
  /** Undefined when SVC02 is not a number; validation reports it. */
  chargeCents?: number;
  units?: TSourced;
  serviceDate?: TSourced;
  lineControl?: string;
  allowed?: TSourced;
  adjustments: TAdjustment[];
  remarkCodes: string[];
  remarkLine?: number;
  /** SVC06: the procedure as submitted, when the payer adjudicated another code. */
  submittedCode?: TSourced & { qualifier: string };
};

export type TClaimRecord = {
  clp: TX12Segment;
  submitterClaimId: string;
  status: string;
  chargeCents: number;
  paidCents: number;
  payerClaimNumber?: string;
  /** CLP08: facility type code (place of service or type of bill). */
  facilityType?: string;
  charge: TSourced;
  paid: TSourced;
  received?: TSourced;
  statementStart?: TSourced;
  statementEnd?: TSourced;
  adjustments: TAdjustment[];
  remarkCodes: string[];
  services: TServiceRecord[];
  /** SVC segments seen, readable or not: tells "no lines" apart from "lines with errors". */
  serviceSegments: number;
};

export type TReport = (segment: TX12Segment, field: string, message: string) => void;

const CAS_TRIPLETS = 6;
const CARC_GROUPS = new Set(["CO", "PR", "OA", "PI", "CR"]);

export function readClaim(segment: TX12Segment, report: TReport): TClaimRecord | undefined {
  const submitterClaimId = elementAt(segment, 1);
  const charge = x12Cents(elementAt(segment, 3));
  const paid = x12Cents(elementAt(segment, 4));
  // One item per claim: the first reason is enough to find it, the claim is skipped as a whole.
  if (!submitterClaimId) report(segment, "CLP01", "claim has no submitter claim id; the claim is skipped");
  else if (!charge.ok) report(segment, "CLP03", `${charge.message}; the claim is skipped`);
  else if (!paid.ok) report(segment, "CLP04", `${paid.message}; the claim is skipped`);
  if (!submitterClaimId || !charge.ok || !paid.ok) return undefined;
  return {
    clp: segment,
    submitterClaimId,
    status: elementAt(segment, 2),
    chargeCents: charge.value,
    paidCents: paid.value,
    payerClaimNumber: elementAt(segment, 7) || undefined,
    facilityType: elementAt(segment, 8) || undefined,
    charge: { value: elementAt(segment, 3), line: segment.index, field: "CLP03" },
    paid: { value: elementAt(segment, 4), line: segment.index, field: "CLP04" },
    adjustments: [],
    remarkCodes: [],
    services: [],
    serviceSegments: 0,
  };
}

export function readService(segment: TX12Segment, report: TReport): TServiceRecord | undefined {
  const [qualifier = "", code = "", ...modifiers] = componentsAt(segment, 1);
  const paid = x12Cents(elementAt(segment, 3));
  const charge = x12Cents(elementAt(segment, 2));
  if (!paid.ok) report(segment, "SVC03", `${paid.message}; the service line is skipped`);
  if (!paid.ok) return undefined;
  const sourced = (position: number, field: string) => ({ value: elementAt(segment, position), line: segment.index, field });
  const [submittedQualifier = "", submitted = ""] = componentsAt(segment, 6);
  return {
    svc: segment,
    qualifier,
    code,
    // SVC01-8 (description) comes after the four modifiers and is no modifier.
    modifiers: modifiers.slice(0, 4).filter((modifier) => modifier !== ""),
    charge: sourced(2, "SVC02"),
    paid: sourced(3, "SVC03"),
    paidCents: paid.value,
    chargeCents: charge.ok ? charge.value : undefined,
    units: elementAt(segment, 5) ? sourced(5, "SVC05") : undefined,
    submittedCode: submitted ? { value: submitted, line: segment.index, field: "SVC06", qualifier: submittedQualifier } : undefined,
    adjustments: [],
    remarkCodes: [],
  };
}

export function readAdjustments(segment: TX12Segment, report: TReport): TAdjustment[] {
  const group = elementAt(segment, 1);
  if (!CARC_GROUPS.has(group)) {
    report(segment, "CAS01", "adjustment group must be CO, PR, OA, PI or CR; the adjustment is skipped");
    return [];
  }
  const adjustments: TAdjustment[] = [];
  // Up to six reason / amount / quantity triplets: CAS02-04, CAS05-07, ... CAS17-19.
  for (let triplet = 0; triplet < CAS_TRIPLETS; triplet += 1) {
    const reasonAt = 2 + triplet * 3;
    const reason = elementAt(segment, reasonAt);
    if (!reason) continue;
    const amountField = `CAS${String(reasonAt + 1).padStart(2, "0")}`;
    const cents = x12Cents(elementAt(segment, reasonAt + 1));
    if (!cents.ok) {
      report(segment, amountField, `${cents.message}; the adjustment is skipped`);
      continue;
    }
    adjustments.push({ group, reason, cents: cents.value, line: segment.index });
  }
  return adjustments;
}
