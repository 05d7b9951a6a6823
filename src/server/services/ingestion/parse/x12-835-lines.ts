import { ZClaimLineInput, type TClaimLineInput, type TClaimLineInputRaw } from "./claim-line-input";
import type { TRowError } from "./row-error";
import { classifyServiceLine } from "./x12-835-outcome";
import type { TClaimRecord, TRemittance, TServiceRecord, TSourced } from "./x12-835-remittance";

/**
 * Turns one adjudicated (non-reversal) claim into validated claim lines.
 *
 * Dates, in order of preference (an 835 has no explicit "decided on" date):
 *   serviceDate  line DTM*472 (or DTM*150) -> claim DTM*232 statement start -> DTM*233
 *   submittedAt  claim DTM*050 (received) -> the service date, so lag reads "service to decision"
 *   decidedAt    DTM*405 production date (when the payer's system produced the remittance)
 *                -> BPR16 payment effective date
 *   paidAt       only when the line paid something: BPR16 -> DTM*405
 */

export type TX12LineItem = { kind: "line"; line: number; value: TClaimLineInput };

type TKey = keyof TClaimLineInputRaw;
type TSources = Partial<Record<TKey, { line: number; field: string }>>;

// Revenue codes and drug codes identify no procedure; there is nothing to map them to.
const NON_PROCEDURE_QUALIFIERS = new Map([
  ["NU", "a revenue code"],
  ["N4", "a drug code (NDC)"],
]);
const MAX_LINE_NUMBER = 2_147_483_647;

export function buildClaimLines(
  remittance: TRemittance & { payerName: TSourced; decidedAt: TSourced },
  claim: TClaimRecord,
): { lines: TX12LineItem[]; errors: TRowError[] } {
  const lines: TX12LineItem[] = [];
  const errors: TRowError[] = [];
  if (claim.serviceSegments === 0) {
    const message = "claim has no service lines (SVC); a claim line needs a procedure code";
    return { lines, errors: [{ line: claim.clp.index, field: "SVC", message }] };
  }
  const lineNumbers = numberLines(claim.services);
  claim.services.forEach((service, position) => {
    const built = buildLine(remittance, claim, service, lineNumbers[position] ?? position + 1);
    if ("error" in built) {
      errors.push(built.error);
      return;
    }
    const parsed = ZClaimLineInput.safeParse(built.candidate);
    if (parsed.success) {
      lines.push({ kind: "line", line: service.svc.index, value: parsed.data });
      return;
    }
    for (const issue of parsed.error.issues) {
      const source = built.sources[issue.path[0] as TKey] ?? { line: service.svc.index, field: "SVC" };
      // Header values (payer, DTM*405, BPR16) are shared by every claim: point at the
      // service line instead, and let the field name say where the value came from.
      const line = source.line >= claim.clp.index ? source.line : service.svc.index;
      errors.push({ line, field: source.field, message: issue.message });
    }
  });
  return { lines, errors };
}

/**
 * REF*6R echoes the line control number the practice sent, so it matches their own line
 * numbers, but only if every line has a distinct numeric one; otherwise 1..n, to avoid
 * two lines of a claim colliding on the same number.
 */
function numberLines(services: readonly TServiceRecord[]): number[] {
  const controls = services.map((service) => (/^\d{1,10}$/.test(service.lineControl ?? "") ? Number(service.lineControl) : 0));
  const usable = controls.every((n) => n >= 1 && n <= MAX_LINE_NUMBER) && new Set(controls).size === controls.length;
  return usable ? controls : services.map((_, position) => position + 1);
}

function buildLine(
  remittance: TRemittance & { payerName: TSourced; decidedAt: TSourced },
  claim: TClaimRecord,
  service: TServiceRecord,
  lineNumber: number,
): { candidate: TClaimLineInputRaw; sources: TSources } | { error: TRowError } {
  const at = service.svc.index;
  const nonProcedure = NON_PROCEDURE_QUALIFIERS.get(service.qualifier);
  if (nonProcedure) return { error: { line: at, field: "SVC01", message: `SVC01 is ${nonProcedure}, not a procedure code` } };
  const serviceDate = service.serviceDate ?? claim.statementStart ?? claim.statementEnd;
  if (!serviceDate) return { error: { line: at, field: "DTM*472", message: "no service date (DTM*472 or claim DTM*232)" } };
  const submittedAt = claim.received ?? serviceDate;
  const paid = service.paidCents > 0;
  const paidAt = paid ? (remittance.paymentDate ?? remittance.productionDate) : undefined;

  // A line without its own CAS that was not paid in full is explained by the claim-level CAS.
  const unbalanced = service.chargeCents === undefined || service.paidCents < service.chargeCents;
  const adjustments = service.adjustments.length > 0 || !unbalanced ? service.adjustments : claim.adjustments;
  const decision = classifyServiceLine({ paidCents: service.paidCents, claimStatus: claim.status, adjustments });
  const remarkCodes = [...service.remarkCodes, ...claim.remarkCodes];

  const candidate: TClaimLineInputRaw = {
    submitterClaimId: claim.submitterClaimId,
    lineNumber,
    payerName: remittance.payerName.value,
    cptCode: service.code,
    units: service.units?.value,
    serviceDate: serviceDate.value,
    submittedAt: submittedAt.value,
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
    cptCode: svc("SVC01"),
    units: svc("SVC05"),
    serviceDate: from(serviceDate),
    submittedAt: from(submittedAt),
    decidedAt: from(remittance.decidedAt),
    paidAt: from(paidAt),
    billedAmount: svc("SVC02"),
    paidAmount: svc("SVC03"),
    allowedAmount: from(service.allowed),
    denialReason: decision.denialLine ? { line: decision.denialLine, field: "CAS" } : undefined,
    remarkCodes: service.remarkLine ? { line: service.remarkLine, field: "LQ*HE" } : clp("MOA"),
  };
  return { candidate, sources };
}
