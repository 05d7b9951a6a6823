import type { TRowError } from "./row-error";
import type { TX12TransactionSet } from "./x12-envelope";
import { readAdjustments, readClaim, readService, type TClaimRecord, type TServiceRecord, type TSourced } from "./x12-835-records";
import { elementAt, type TX12Segment } from "./x12-tokenizer";
import { x12Date } from "./x12-values";

export type { TClaimRecord, TServiceRecord, TSourced } from "./x12-835-records";

/**
 * Reads one 835 transaction set into plain records (payer, dates, claims, service lines,
 * adjustments) without deciding anything yet. Loop membership follows segment order: a DTM,
 * CAS or REF belongs to the SVC before it, or to the CLP when no SVC has started.
 */

export type TRemittance = {
  st: TX12Segment;
  payerName?: TSourced;
  /** N1*PR N104 (with N103 XV or PI) or REF*2U: the payer's own identifier. */
  payerIdentifier?: string;
  paymentDate?: TSourced;
  productionDate?: TSourced;
  claims: TClaimRecord[];
};

// Segment ids an 835 (4010 or 5010) may carry; anything else is ignored and counted.
const KNOWN_SEGMENTS = new Set([
  "BPR",
  "TRN",
  "CUR",
  "REF",
  "DTM",
  "N1",
  "N2",
  "N3",
  "N4",
  "PER",
  "RDM",
  "LX",
  "TS3",
  "TS2",
  "CLP",
  "CAS",
  "NM1",
  "MIA",
  "MOA",
  "AMT",
  "QTY",
  "SVC",
  "LQ",
  "PLB",
]);

export type TRemittanceRead = {
  remittance: TRemittance;
  /** Loops out of order: a service line or adjustment that belongs to no claim. Refuses the file. */
  errors: TRowError[];
  /** Values that cannot be used; the rest of the claim and the file still count. */
  skipped: TRowError[];
  /** Segments of unknown type: how many, and the first one. */
  unknown: { count: number; firstLine: number };
};

export function readRemittance(transactionSet: TX12TransactionSet): TRemittanceRead {
  const errors: TRowError[] = [];
  const skipped: TRowError[] = [];
  const unknown = { count: 0, firstLine: 0 };
  const remittance: TRemittance = { st: transactionSet.st, claims: [] };
  let claim: TClaimRecord | undefined;
  let service: TServiceRecord | undefined;
  // After a claim that cannot be read, its own segments are skipped with it, not misattributed.
  let inSkippedClaim = false;
  const report = (segment: TX12Segment, field: string, message: string) => skipped.push({ line: segment.index, field, message });
  const structural = (segment: TX12Segment, field: string, message: string) => errors.push({ line: segment.index, field, message });
  const date = (segment: TX12Segment, field: string, position: number): TSourced | undefined => {
    const parsed = x12Date(elementAt(segment, position));
    if (parsed.ok) return { value: parsed.value, line: segment.index, field };
    report(segment, field, `${parsed.message}; the date is not used`);
    return undefined;
  };

  for (const segment of transactionSet.body) {
    if (!KNOWN_SEGMENTS.has(segment.id)) {
      if (unknown.count++ === 0) unknown.firstLine = segment.index;
      continue;
    }
    if (inSkippedClaim && segment.id !== "CLP" && segment.id !== "LX" && segment.id !== "PLB") continue;
    switch (segment.id) {
      case "BPR":
        // BPR16: the date the payment (check or EFT) takes effect.
        if (!claim && elementAt(segment, 16)) remittance.paymentDate = date(segment, "BPR16", 16);
        break;
      case "N1":
        if (!claim && elementAt(segment, 1) === "PR") {
          if (elementAt(segment, 2)) remittance.payerName = { value: elementAt(segment, 2), line: segment.index, field: "N102" };
          if (["XV", "PI"].includes(elementAt(segment, 3)) && elementAt(segment, 4)) remittance.payerIdentifier = elementAt(segment, 4);
        }
        break;
      case "LX":
      case "PLB":
        // A new header-number group or the provider-level adjustments: the claim has ended.
        claim = undefined;
        service = undefined;
        inSkippedClaim = false;
        break;
      case "CLP":
        service = undefined;
        claim = readClaim(segment, report);
        inSkippedClaim = !claim;
        if (claim) remittance.claims.push(claim);
        break;
      case "SVC":
        if (!claim) {
          structural(segment, "SVC", "service line outside a claim (no CLP before it): the claims cannot be attributed");
          service = undefined;
          break;
        }
        claim.serviceSegments += 1;
        service = readService(segment, report);
        if (service) claim.services.push(service);
        break;
      case "DTM":
        readDate(segment, remittance, claim, service, date);
        break;
      case "CAS": {
        const target = service ?? claim;
        if (target) target.adjustments.push(...readAdjustments(segment, report));
        else structural(segment, "CAS", "adjustment outside a claim (no CLP before it): the claims cannot be attributed");
        break;
      }
      case "REF":
        if (service && elementAt(segment, 1) === "6R") service.lineControl = elementAt(segment, 2);
        // REF*2U (payer identification) follows N1*PR in the header.
        if (!claim && elementAt(segment, 1) === "2U" && elementAt(segment, 2)) remittance.payerIdentifier ??= elementAt(segment, 2);
        break;
      case "AMT":
        if (service && elementAt(segment, 1) === "B6") {
          service.allowed = { value: elementAt(segment, 2), line: segment.index, field: "AMT*B6" };
        }
        break;
      case "LQ":
        if (service && elementAt(segment, 1) === "HE" && elementAt(segment, 2)) {
          service.remarkCodes.push(elementAt(segment, 2));
          service.remarkLine ??= segment.index;
        }
        break;
      case "MOA":
        // Claim-level remark codes (MOA03-MOA07) apply to every line of the claim.
        if (claim && !service) {
          for (let position = 3; position <= 7; position += 1) {
            if (elementAt(segment, position)) claim.remarkCodes.push(elementAt(segment, position));
          }
        }
        break;
      default:
      // Other segments (TRN, NM1, PER, QTY...) carry nothing a claim line needs.
    }
  }
  return { remittance, errors, skipped, unknown };
}

function readDate(
  segment: TX12Segment,
  remittance: TRemittance,
  claim: TClaimRecord | undefined,
  service: TServiceRecord | undefined,
  date: (segment: TX12Segment, field: string, position: number) => TSourced | undefined,
) {
  const qualifier = elementAt(segment, 1);
  const field = `DTM*${qualifier}`;
  if (service) {
    // 472 is the service date; 150 (period start) stands in when a line spans days.
    if (qualifier === "472") service.serviceDate = date(segment, field, 2);
    else if (qualifier === "150" && !service.serviceDate) service.serviceDate = date(segment, field, 2);
  } else if (claim) {
    if (qualifier === "050") claim.received = date(segment, field, 2);
    else if (qualifier === "232") claim.statementStart = date(segment, field, 2);
    else if (qualifier === "233") claim.statementEnd = date(segment, field, 2);
    // 036/037 are coverage expiration/effective dates: about the policy, not this decision.
  } else if (qualifier === "405") {
    remittance.productionDate = date(segment, field, 2);
  }
}
