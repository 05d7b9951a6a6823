import { parseMoney } from "./parse-money";
import type { TRowError } from "./row-error";
import { splitTransactionSets } from "./x12-envelope";
import { buildClaimLines, type TX12LineItem } from "./x12-835-lines";
import { readRemittance, type TClaimRecord, type TRemittance, type TSourced } from "./x12-835-remittance";
import { tokenizeX12 } from "./x12-tokenizer";

export type { TX12LineItem } from "./x12-835-lines";

/**
 * A claim the payer took back (CLP02 = 22). The writer removes any stored lines for
 * `submitterClaimId` BEFORE applying `lines`: a correction in the same file then lands as
 * the current version, and a reversal with no correction leaves the claim removed.
 * Amounts are what the reversal takes back, as positive canonical strings.
 */
export type TX12Reversal = {
  kind: "reversal";
  line: number;
  submitterClaimId: string;
  payerName?: string;
  payerClaimNumber?: string;
  billedAmount: string;
  paidAmount: string;
};

export type TX12ParseResult = { lines: TX12LineItem[]; reversals: TX12Reversal[]; errors: TRowError[] };

const CLAIM_STATUS_REVERSAL = "22";

type TCurrentClaim = { claim: TClaimRecord; lines: TX12LineItem[] };

/**
 * Parses a whole X12 835 file (held in memory: remittances are small, and envelope counts
 * can only be checked at the end). Work is linear in the number of segments.
 *
 * Within one file the payer's latest word wins: a later CLP for the same submitter claim id
 * replaces the earlier one; a reversal removes the earlier one when it negates its amounts
 * (and carries the same payer claim number, when both have one). A reversal that matches
 * nothing in the file reverses a claim from an earlier upload, which the writer handles.
 * `lines` come out in file order of each claim's latest version; `errors` by segment number.
 */
export function parseX12_835(text: string): TX12ParseResult {
  const tokens = tokenizeX12(text);
  const envelopes = splitTransactionSets(tokens.segments);
  const errors: TRowError[] = [...tokens.errors, ...envelopes.errors];
  const current = new Map<string, TCurrentClaim>();
  const reversals: TX12Reversal[] = [];

  for (const transactionSet of envelopes.transactionSets) {
    const read = readRemittance(transactionSet);
    errors.push(...read.errors);
    const remittance = withRequiredHeader(read.remittance, errors);
    for (const claim of read.remittance.claims) {
      if (claim.status === CLAIM_STATUS_REVERSAL) {
        reversals.push(toReversal(claim, read.remittance.payerName?.value));
        const earlier = current.get(claim.submitterClaimId);
        if (earlier && reverses(claim, earlier.claim)) current.delete(claim.submitterClaimId);
        continue;
      }
      if (!remittance) continue; // the missing payer/date was reported once for the whole set
      const built = buildClaimLines(remittance, claim);
      errors.push(...built.errors);
      // delete + set moves the claim to the end, keeping output in order of latest version.
      current.delete(claim.submitterClaimId);
      current.set(claim.submitterClaimId, { claim, lines: built.lines });
    }
  }

  const lines = [...current.values()].flatMap((entry) => entry.lines);
  errors.sort((a, b) => a.line - b.line); // stable: same-segment errors keep their order
  return { lines, reversals, errors };
}

/** Payer and decision date are per remittance; without them no line of it can be built. */
function withRequiredHeader(
  remittance: TRemittance,
  errors: TRowError[],
): (TRemittance & { payerName: TSourced; decidedAt: TSourced }) | undefined {
  const { payerName, productionDate, paymentDate } = remittance;
  const decidedAt = productionDate ?? paymentDate;
  const at = remittance.st.index;
  if (!payerName) errors.push({ line: at, field: "N1*PR", message: "remittance has no payer name (N1*PR N102)" });
  if (!decidedAt) {
    errors.push({ line: at, field: "DTM*405", message: "remittance has no decision date (DTM*405 production date or BPR16)" });
  }
  if (!payerName || !decidedAt) return undefined;
  return { ...remittance, payerName, decidedAt };
}

function reverses(reversal: TClaimRecord, earlier: TClaimRecord): boolean {
  const sameAmounts = reversal.chargeCents === -earlier.chargeCents && reversal.paidCents === -earlier.paidCents;
  const numbers = [reversal.payerClaimNumber, earlier.payerClaimNumber];
  const sameClaimNumber = numbers.includes(undefined) || numbers[0] === numbers[1];
  return sameAmounts && sameClaimNumber;
}

function toReversal(claim: TClaimRecord, payerName: string | undefined): TX12Reversal {
  const reversal: TX12Reversal = {
    kind: "reversal",
    line: claim.clp.index,
    submitterClaimId: claim.submitterClaimId,
    billedAmount: positiveAmount(claim.chargeCents),
    paidAmount: positiveAmount(claim.paidCents),
  };
  if (payerName) reversal.payerName = payerName;
  if (claim.payerClaimNumber) reversal.payerClaimNumber = claim.payerClaimNumber;
  return reversal;
}

function positiveAmount(cents: number): string {
  const parsed = parseMoney(Math.abs(cents) / 100);
  return parsed.ok ? parsed.value : "0.00";
}
