import { parseMoney } from "./parse-money";
import type { TRowError } from "./row-error";
import { splitTransactionSets } from "./x12-envelope";
import { readProviderAdjustments, type TX12ProviderAdjustment } from "./x12-835-plb";
import { buildClaimLines, type TX12LineItem } from "./x12-835-lines";
import { readRemittance, type TClaimRecord, type TRemittance, type TSourced } from "./x12-835-remittance";
import { tokenizeX12, type TX12TokenLimits, type TX12Tokens } from "./x12-tokenizer";

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

/** The PLB adjustments of one transaction set, with the payer they are booked against. */
export type TX12ProviderAdjustments = {
  line: number;
  payerName: string;
  payerIdentifier?: string;
  adjustments: TX12ProviderAdjustment[];
};

/**
 * `errors` refuse the whole file: it cannot be read as an 835 (separators, not an 835,
 * truncated, loops out of order). `skipped` are values that could not be used (line,
 * segment/field, reason) and `warnings` what is odd but usable; neither stops the rest.
 */
export type TX12ParseResult = {
  lines: TX12LineItem[];
  reversals: TX12Reversal[];
  providerAdjustments: TX12ProviderAdjustments[];
  errors: TRowError[];
  skipped: TRowError[];
  warnings: TRowError[];
};

const CLAIM_STATUS_REVERSAL = "22";

type TCurrentClaim = { claim: TClaimRecord; lines: TX12LineItem[]; skipped: TRowError[]; warnings: TRowError[] };

/** The whole text at once; see parseX12Tokens. */
export function parseX12_835(text: string, limits?: TX12TokenLimits): TX12ParseResult {
  return parseX12Tokens(tokenizeX12(text, limits));
}

/**
 * Parses the segments of an X12 835 file. Work is linear in the number of segments.
 *
 * Within one file the payer's latest word wins: a later CLP for the same submitter claim id
 * replaces the earlier one (with a warning); a reversal removes the earlier one when it
 * negates its amounts (and carries the same payer claim number, when both have one). A
 * reversal that matches nothing in the file reverses a claim from an earlier upload, which the
 * writer handles. `lines` come out in file order of each claim's latest version; the issue
 * lists by segment number.
 */
export function parseX12Tokens(tokens: TX12Tokens): TX12ParseResult {
  const result: TX12ParseResult = { lines: [], reversals: [], providerAdjustments: [], errors: [...tokens.errors], skipped: [], warnings: [] };
  if (result.errors.length > 0) return result;
  const envelopes = splitTransactionSets(tokens.segments, { bare: tokens.bare });
  result.errors.push(...envelopes.errors);
  result.warnings.push(...envelopes.warnings);
  result.skipped.push(...envelopes.skipped);
  const current = new Map<string, TCurrentClaim>();
  let unknownCount = 0;
  let unknownLine = 0;

  for (const transactionSet of envelopes.transactionSets) {
    const read = readRemittance(transactionSet);
    result.errors.push(...read.errors);
    result.skipped.push(...read.skipped);
    if (read.unknown.count > 0 && unknownCount === 0) unknownLine = read.unknown.firstLine;
    unknownCount += read.unknown.count;
    const remittance = withRequiredHeader(read.remittance, result.skipped);
    const plb = readProviderAdjustments(transactionSet.body);
    result.skipped.push(...plb.skipped);
    // PLB needs only the payer: its dates are its own (BPR16, else DTM*405, else PLB02).
    const payerName = read.remittance.payerName;
    if (plb.adjustments.length > 0 && !payerName) {
      result.skipped.push({
        line: plb.adjustments[0]!.line,
        field: "PLB",
        message: "provider adjustments of a remittance without a payer name (N1*PR) are skipped",
      });
    } else if (plb.adjustments.length > 0 && payerName) {
      result.providerAdjustments.push({
        line: plb.adjustments[0]!.line,
        payerName: payerName.value,
        payerIdentifier: read.remittance.payerIdentifier,
        adjustments: plb.adjustments,
      });
    }
    for (const claim of read.remittance.claims) {
      if (claim.status === CLAIM_STATUS_REVERSAL) {
        result.reversals.push(toReversal(claim, read.remittance.payerName?.value));
        const earlier = current.get(claim.submitterClaimId);
        if (earlier && reverses(claim, earlier.claim)) current.delete(claim.submitterClaimId);
        continue;
      }
      if (!remittance) continue; // the missing payer/date was reported once for the whole set
      const built = buildClaimLines(remittance, claim);
      const earlier = current.get(claim.submitterClaimId);
      if (earlier) {
        result.warnings.push({
          line: earlier.claim.clp.index,
          field: "CLP01",
          message: `the same claim appears again at segment ${claim.clp.index}; the later one replaces this one`,
        });
      }
      // delete + set moves the claim to the end, keeping output in order of latest version.
      current.delete(claim.submitterClaimId);
      current.set(claim.submitterClaimId, { claim, ...built });
    }
  }
  if (unknownCount > 0) {
    result.warnings.push({
      line: unknownLine,
      field: "segment",
      message: `${unknownCount} segment${unknownCount === 1 ? "" : "s"} of a type an 835 does not use ${unknownCount === 1 ? "was" : "were"} ignored`,
    });
  }

  for (const entry of current.values()) {
    result.lines.push(...entry.lines);
    result.skipped.push(...entry.skipped);
    result.warnings.push(...entry.warnings);
  }
  // Stable: same-segment items keep their order.
  result.errors.sort((a, b) => a.line - b.line);
  result.skipped.sort((a, b) => a.line - b.line);
  result.warnings.sort((a, b) => a.line - b.line);
  return result;
}

/** Payer and decision date are per remittance; without them no line of it can be built. */
function withRequiredHeader(remittance: TRemittance, skipped: TRowError[]): (TRemittance & { payerName: TSourced; decidedAt: TSourced }) | undefined {
  const { payerName, productionDate, paymentDate } = remittance;
  const decidedAt = productionDate ?? paymentDate;
  const at = remittance.st.index;
  const claims = remittance.claims.filter((claim) => claim.status !== CLAIM_STATUS_REVERSAL).length;
  const what = `its ${claims} claim${claims === 1 ? " is" : "s are"} skipped`;
  if (claims === 0) {
    // Nothing of it can be built anyway (unreadable claims were skipped one by one).
  } else if (!payerName) skipped.push({ line: at, field: "N1*PR", message: `remittance has no payer name (N1*PR N102); ${what}` });
  else if (!decidedAt) {
    skipped.push({ line: at, field: "DTM*405", message: `remittance has no decision date (DTM*405 production date or BPR16); ${what}` });
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
