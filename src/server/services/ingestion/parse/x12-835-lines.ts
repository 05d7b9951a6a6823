import { isCptCode, ZRemittanceLine, type TRemittanceLine, type TRemittanceLineRaw } from "./claim-line-input";
import type { TRowError } from "./row-error";
import { classifyServiceLine } from "./x12-835-outcome";
import type { TClaimRecord, TRemittance, TServiceRecord, TSourced } from "./x12-835-remittance";

/**
 * Turns one adjudicated (non-reversal) claim into validated claim lines. A line that cannot be
 * used becomes a skipped item (segment, field, reason); the rest of the claim still counts.
 *
 * Dates, in order of preference (an 835 has no explicit "decided on" date):
 *   serviceDate  line DTM*472 (or DTM*150) -> claim DTM*232 statement start -> DTM*233
 *   submittedAt  claim DTM*050 (received) -> the service date, so lag reads "service to decision"
 *   decidedAt    DTM*405 production date (when the payer's system produced the remittance)
 *                -> BPR16 payment effective date
 *   paidAt       only when the line paid something: BPR16 -> DTM*405
 * When these contradict each other (received or served after the decision, paid before
 * receipt) the line is kept with submittedAt null, so its decision lag stays out of the
 * decision-time statistics, and a warning names the line.
 *
 * A claim with no SVC at all (adjudicated at claim level, as institutional claims often are)
 * becomes one claim-level line: no procedure code, CLP03/CLP04 as its amounts, CLP08 kept.
 */

export type TX12LineItem = { kind: "line"; line: number; value: TRemittanceLine };

type TKey = keyof TRemittanceLineRaw;
type TSources = Partial<Record<TKey, { line: number; field: string }>>;
type THeader = TRemittance & { payerName: TSourced; decidedAt: TSourced };

// Revenue codes, drug codes and "mutually defined" codes identify no procedure: there is
// nothing to group them by, so those lines are skipped with the reason (never the file).
const NON_PROCEDURE_QUALIFIERS = new Map([
  ["NU", "a revenue code (NU)"],
  ["N4", "a drug code (N4, NDC)"],
  ["ZZ", "a mutually defined code (ZZ)"],
]);
const MAX_LINE_NUMBER = 2_147_483_647;

export type TBuiltClaim = { lines: TX12LineItem[]; skipped: TRowError[]; warnings: TRowError[] };

export function buildClaimLines(remittance: THeader, claim: TClaimRecord): TBuiltClaim {
  const built: TBuiltClaim = { lines: [], skipped: [], warnings: [] };
  if (claim.serviceSegments === 0) {
    addLine(built, claim.clp.index, claimLevelLine(remittance, claim));
    return built;
  }
  const lineNumbers = numberLines(claim.services);
  claim.services.forEach((service, position) => {
    addLine(built, service.svc.index, serviceLine(remittance, claim, service, lineNumbers[position] ?? position + 1));
  });
  return built;
}

type TCandidate = { candidate: TRemittanceLineRaw; sources: TSources; headerLine: number; warning?: TRowError } | { skip: TRowError };

function addLine(built: TBuiltClaim, at: number, result: TCandidate) {
  if ("skip" in result) {
    built.skipped.push(result.skip);
    return;
  }
  const parsed = ZRemittanceLine.safeParse(result.candidate);
  if (parsed.success) {
    built.lines.push({ kind: "line", line: at, value: parsed.data });
    if (result.warning) built.warnings.push(result.warning);
    return;
  }
  // The first problem is reported: the line is skipped as a whole.
  const issue = parsed.error.issues[0]!;
  const source = result.sources[issue.path[0] as TKey] ?? { line: at, field: "SVC" };
  // Header values (payer, DTM*405, BPR16) are shared by every claim: point at the line instead,
  // and let the field name say where the value came from.
  const line = source.line >= result.headerLine ? source.line : at;
  built.skipped.push({ line, field: source.field, message: `${issue.message}; the line is skipped` });
}

/**
 * REF*6R echoes the line control number the practice sent, so it matches their own line
 * numbers, but only if every line has a distinct numeric one; otherwise 1..n, to avoid
 * two lines of a claim colliding on the same number.
 */
function numberLines(services: readonly TServiceRecord[]): number[] {
  const controls = services.map((service) => {
    const control = service.lineControl ?? "";
    return control.length >= 1 && control.length <= 10 && isDigits(control) ? Number(control) : 0;
  });
  const usable = controls.every((n) => n >= 1 && n <= MAX_LINE_NUMBER) && new Set(controls).size === controls.length;
  return usable ? controls : services.map((_, position) => position + 1);
}

/** CLP08: one or two letters or digits. */
function isFacilityType(text: string): boolean {
  if (text.length < 1 || text.length > 2) return false;
  for (let position = 0; position < text.length; position += 1) {
    const code = text.toUpperCase().charCodeAt(position);
    if (!((code >= 48 && code <= 57) || (code >= 65 && code <= 90))) return false;
  }
  return true;
}

function isDigits(text: string): boolean {
  for (let position = 0; position < text.length; position += 1) {
    const code = text.charCodeAt(position);
    if (code < 48 || code > 57) return false;
  }
  return true;
}

/** Submission date, or null (with a warning) when the file's dates contradict each other. */
function orderedDates(remittance: THeader, serviceDate: TSourced, submitted: TSourced, paidAt: TSourced | undefined, at: number) {
  const decided = remittance.decidedAt.value;
  const problem: [string, string] | undefined =
    submitted.value > decided
      ? [submitted.field, `${submitted.field} is after the decision date (${remittance.decidedAt.field})`]
      : serviceDate.value > decided
        ? [serviceDate.field, `the service date (${serviceDate.field}) is after the decision date (${remittance.decidedAt.field})`]
        : paidAt && paidAt.value < submitted.value
          ? [paidAt.field, `the payment date (${paidAt.field}) is before ${submitted.field}`]
          : undefined;
  if (!problem) return { submittedAt: submitted.value };
  return {
    submittedAt: null,
    warning: { line: at, field: problem[0], message: `${problem[1]}: the line is kept, its decision time is left out of statistics` },
  };
}

function serviceLine(remittance: THeader, claim: TClaimRecord, service: TServiceRecord, lineNumber: number): TCandidate {
  const at = service.svc.index;
  const nonProcedure = NON_PROCEDURE_QUALIFIERS.get(service.qualifier);
  // Revenue-code lines are skipped, not stored: every statistic groups lines by procedure code,
  // and a revenue code (0450 emergency room) says where, not what, was done.
  if (nonProcedure) return { skip: { line: at, field: "SVC01", message: `SVC01 is ${nonProcedure}, not a procedure code; the line is skipped` } };
  const serviceDate = service.serviceDate ?? claim.statementStart ?? claim.statementEnd;
  if (!serviceDate) return { skip: { line: at, field: "DTM*472", message: "no service date (DTM*472 or claim DTM*232); the line is skipped" } };
  const submitted = claim.received ?? serviceDate;
  const paid = service.paidCents > 0;
  const paidAt = paid ? (remittance.paymentDate ?? remittance.productionDate) : undefined;
  const dates = orderedDates(remittance, serviceDate, submitted, paidAt, at);

  // A line without its own CAS that was not paid in full is explained by the claim-level CAS.
  const unbalanced = service.chargeCents === undefined || service.paidCents < service.chargeCents;
  const adjustments = service.adjustments.length > 0 || !unbalanced ? service.adjustments : claim.adjustments;
  // A denied line with 0 units is still a denial: units play no part in the outcome.
  const decision = classifyServiceLine({ paidCents: service.paidCents, claimStatus: claim.status, adjustments });
  const remarkCodes = [...service.remarkCodes, ...claim.remarkCodes];
  // SVC06 is kept only when it names a procedure; a revenue code there (NU:0450) is not one.
  const submittedCode = service.submittedCode;
  const submittedCptCode =
    submittedCode && !NON_PROCEDURE_QUALIFIERS.has(submittedCode.qualifier) && isCptCode(submittedCode.value.toUpperCase())
      ? submittedCode.value.toUpperCase()
      : undefined;

  const candidate: TRemittanceLineRaw = {
    submitterClaimId: claim.submitterClaimId,
    lineNumber,
    payerName: remittance.payerName.value,
    payerIdentifier: remittance.payerIdentifier,
    cptCode: service.code,
    modifier: service.modifiers.length > 0 ? service.modifiers : undefined,
    submittedCptCode,
    units: service.units?.value,
    serviceDate: serviceDate.value,
    submittedAt: dates.submittedAt,
    decidedAt: remittance.decidedAt.value,
    paidAt: paidAt?.value,
    billedAmount: service.charge.value,
    allowedAmount: service.allowed?.value,
    paidAmount: service.paid.value,
    outcome: decision.outcome,
    denialReason: decision.denialReason,
    remarkCodes: remarkCodes.length > 0 ? remarkCodes : undefined,
    payerClaimNumber: claim.payerClaimNumber,
  };
  for (const key of Object.keys(candidate) as TKey[]) if (candidate[key] === undefined) delete candidate[key];

  const clp = (field: string) => ({ line: claim.clp.index, field });
  const svc = (field: string) => ({ line: at, field });
  const from = (source: TSourced | undefined) => (source ? { line: source.line, field: source.field } : undefined);
  const sources: TSources = {
    submitterClaimId: clp("CLP01"),
    payerClaimNumber: clp("CLP07"),
    lineNumber: svc(service.lineControl ? "REF*6R" : "SVC"),
    payerName: from(remittance.payerName),
    payerIdentifier: clp("N1*PR"),
    cptCode: svc("SVC01"),
    modifier: svc("SVC01-3"),
    submittedCptCode: svc("SVC06"),
    units: svc("SVC05"),
    serviceDate: from(serviceDate),
    submittedAt: from(submitted),
    decidedAt: from(remittance.decidedAt),
    paidAt: from(paidAt),
    billedAmount: svc("SVC02"),
    paidAmount: svc("SVC03"),
    allowedAmount: from(service.allowed),
    denialReason: decision.denialLine ? { line: decision.denialLine, field: "CAS" } : undefined,
    remarkCodes: service.remarkLine ? { line: service.remarkLine, field: "LQ*HE" } : clp("MOA"),
  };
  return { candidate, sources, headerLine: claim.clp.index, warning: dates.warning };
}

/** A claim adjudicated without service lines: one line for the claim, grouped CLAIM_LEVEL. */
function claimLevelLine(remittance: THeader, claim: TClaimRecord): TCandidate {
  const at = claim.clp.index;
  const serviceDate = claim.statementStart ?? claim.statementEnd;
  if (!serviceDate) {
    return { skip: { line: at, field: "DTM*232", message: "claim has no service lines and no statement date (DTM*232); the claim is skipped" } };
  }
  const submitted = claim.received ?? serviceDate;
  const paidAt = claim.paidCents > 0 ? (remittance.paymentDate ?? remittance.productionDate) : undefined;
  const dates = orderedDates(remittance, serviceDate, submitted, paidAt, at);
  const decision = classifyServiceLine({ paidCents: claim.paidCents, claimStatus: claim.status, adjustments: claim.adjustments });
  const candidate: TRemittanceLineRaw = {
    submitterClaimId: claim.submitterClaimId,
    lineNumber: 1,
    payerName: remittance.payerName.value,
    payerIdentifier: remittance.payerIdentifier,
    cptCode: null,
    // An unusable CLP08 (placeholder text) is dropped, not a reason to skip the claim.
    facilityType: claim.facilityType && isFacilityType(claim.facilityType) ? claim.facilityType : undefined,
    units: 1,
    serviceDate: serviceDate.value,
    submittedAt: dates.submittedAt,
    decidedAt: remittance.decidedAt.value,
    paidAt: paidAt?.value,
    billedAmount: claim.charge.value,
    paidAmount: claim.paid.value,
    outcome: decision.outcome,
    denialReason: decision.denialReason,
    remarkCodes: claim.remarkCodes.length > 0 ? claim.remarkCodes : undefined,
    payerClaimNumber: claim.payerClaimNumber,
  };
  for (const key of Object.keys(candidate) as TKey[]) if (candidate[key] === undefined) delete candidate[key];
  const clp = (field: string) => ({ line: at, field });
  const from = (source: TSourced | undefined) => (source ? { line: source.line, field: source.field } : undefined);
  const sources: TSources = {
    submitterClaimId: clp("CLP01"),
    payerClaimNumber: clp("CLP07"),
    facilityType: clp("CLP08"),
    payerName: from(remittance.payerName),
    payerIdentifier: clp("N1*PR"),
    serviceDate: from(serviceDate),
    submittedAt: from(submitted),
    decidedAt: from(remittance.decidedAt),
    paidAt: from(paidAt),
    billedAmount: clp("CLP03"),
    paidAmount: clp("CLP04"),
    denialReason: decision.denialLine ? { line: decision.denialLine, field: "CAS" } : undefined,
    remarkCodes: clp("MOA"),
  };
  return { candidate, sources, headerLine: at, warning: dates.warning };
}
