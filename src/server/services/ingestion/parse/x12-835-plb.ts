import { calendarDate } from "./parse-date";
import type { TRowError } from "./row-error";
import { componentsAt, elementAt, type TX12Segment } from "./x12-tokenizer";

/**
 * PLB: provider-level adjustments of one 835 transaction set. They are not tied to a claim:
 * overpayment recoveries (WO), refunds (72), interest the payer owes (L6), balances forwarded
 * to a later remittance (FB), … Each PLB segment holds up to six pairs PLB03/PLB04 …
 * PLB13/PLB14: a composite "reason:reference" and an amount.
 *
 * A pair that cannot be used is skipped with its reason; the other pairs, and the rest of the
 * file, still count. Nothing here throws on uploaded text, and no regular expression touches
 * it (every check is a single pass over the characters, so its cost is linear in the input).
 */

export type TX12ProviderAdjustment = {
  /** The PLB segment's 1-based number in the file. */
  line: number;
  /** PLB01: the provider as the payer identifies it (usually the NPI or TIN). */
  providerIdentifier: string;
  /** PLB02, YYYY-MM-DD: by the TR3 the last day of the provider's fiscal year, not a payment date. */
  fiscalPeriodDate: string;
  /** PLB03-1 …: e.g. WO, 72, L6, FB, CS (two characters, X12 code list 5010 "Adjustment Reason Code"). */
  reasonCode: string;
  /** PLB03-2 …: the payer's reference (often the claim or the original remittance it offsets). */
  reference?: string;
  /** Canonical money with the sign as in the PLB: positive reduces the payment, negative increases it. */
  amount: string;
  /**
   * When the money moved, YYYY-MM-DD: BPR16 (payment date), else DTM*405 (production date),
   * else the fiscal period date. The scorecard groups takebacks by this date, because PLB02 is
   * usually a fiscal year end and would put a whole year's recoveries into one month.
   */
  remittanceDate?: string;
};

/** A PLB segment carries at most six pairs: PLB03/PLB04 … PLB13/PLB14. */
const MAX_PAIRS = 6;
const FIRST_PAIR = 3;
/** PLB01 and PLB03-2 are AN 1/50 in the TR3. */
const MAX_IDENTIFIER_LENGTH = 50;
/** numeric(12, 2): ten integer digits. */
const MAX_INTEGER_DIGITS = 10;

type TResult<T> = { ok: true; value: T } | { ok: false; message: string };

export function readProviderAdjustments(segments: TX12Segment[]): { adjustments: TX12ProviderAdjustment[]; skipped: TRowError[] } {
  const adjustments: TX12ProviderAdjustment[] = [];
  const skipped: TRowError[] = [];
  const plbs = segments.filter((segment) => segment.id === "PLB");
  if (plbs.length === 0) return { adjustments, skipped };
  const remittance = remittanceDateOf(segments);

  for (const segment of plbs) {
    const skip = (field: string, message: string) => skipped.push({ line: segment.index, field, message });
    const providerIdentifier = elementAt(segment, 1);
    if (providerIdentifier === "") {
      skip("PLB01", "provider adjustment has no provider identifier; its adjustments are skipped");
      continue;
    }
    if (providerIdentifier.length > MAX_IDENTIFIER_LENGTH) {
      skip("PLB01", `provider identifier is longer than ${MAX_IDENTIFIER_LENGTH} characters; its adjustments are skipped`);
      continue;
    }
    const fiscal = readDate(elementAt(segment, 2));
    if (!fiscal.ok) {
      skip("PLB02", `fiscal period date ${fiscal.message}; its adjustments are skipped`);
      continue;
    }
    for (let pair = 0; pair < MAX_PAIRS; pair += 1) {
      const idPosition = FIRST_PAIR + pair * 2;
      const idField = `PLB${pad(idPosition)}`;
      const amountField = `PLB${pad(idPosition + 1)}`;
      const composite = elementAt(segment, idPosition);
      const amountText = elementAt(segment, idPosition + 1);
      if (composite === "" && amountText === "") continue;
      if (composite === "") {
        skip(idField, "adjustment has an amount but no reason code; it is skipped");
        continue;
      }
      const [reasonCode = "", reference = ""] = componentsAt(segment, idPosition);
      if (!isReasonCode(reasonCode)) {
        skip(idField, "adjustment reason code is not a two-character X12 code; the adjustment is skipped");
        continue;
      }
      if (reference.length > MAX_IDENTIFIER_LENGTH) {
        skip(idField, `adjustment reference is longer than ${MAX_IDENTIFIER_LENGTH} characters; the adjustment is skipped`);
        continue;
      }
      if (amountText === "") {
        skip(amountField, "adjustment has no amount; it is skipped");
        continue;
      }
      const amount = readAmount(amountText);
      if (!amount.ok) {
        skip(amountField, `${amount.message}; the adjustment is skipped`);
        continue;
      }
      adjustments.push({
        line: segment.index,
        providerIdentifier,
        fiscalPeriodDate: fiscal.value,
        reasonCode,
        ...(reference !== "" ? { reference } : {}),
        amount: amount.value,
        remittanceDate: remittance ?? fiscal.value,
      });
    }
    const extra = segment.elements.slice(FIRST_PAIR + MAX_PAIRS * 2).some((element) => element !== "");
    if (extra) skip(`PLB${pad(FIRST_PAIR + MAX_PAIRS * 2)}`, "a PLB segment holds at most six adjustments; the elements after PLB14 are skipped");
  }
  return { adjustments, skipped };
}

/** BPR16, else DTM*405 of this transaction set, when readable. */
function remittanceDateOf(segments: TX12Segment[]): string | undefined {
  let production: string | undefined;
  for (const segment of segments) {
    if (segment.id === "BPR") {
      const paid = readDate(elementAt(segment, 16));
      if (paid.ok) return paid.value;
    } else if (production === undefined && segment.id === "DTM" && elementAt(segment, 1) === "405") {
      const produced = readDate(elementAt(segment, 2));
      if (produced.ok) production = produced.value;
    }
  }
  return production;
}

function pad(position: number): string {
  return String(position).padStart(2, "0");
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

function isReasonCode(text: string): boolean {
  if (text.length !== 2) return false;
  for (let i = 0; i < 2; i += 1) {
    const code = text.charCodeAt(i);
    if (!isDigit(code) && !(code >= 65 && code <= 90)) return false;
  }
  return true;
}

/** CCYYMMDD to YYYY-MM-DD, rejecting days a calendar does not have. */
function readDate(text: string): TResult<string> {
  const invalid = { ok: false as const, message: "is not a valid date (CCYYMMDD)" };
  if (text.length !== 8) return invalid;
  for (let i = 0; i < 8; i += 1) if (!isDigit(text.charCodeAt(i))) return invalid;
  const parsed = calendarDate(text.slice(0, 4), text.slice(4, 6), text.slice(6, 8));
  return parsed.ok ? parsed : invalid;
}

/**
 * An X12 decimal ("R": optional minus, digits, optional point) to canonical money "-1.27".
 * Zeros after the second decimal are accepted ("1.270"); any other third decimal is refused
 * rather than rounded, as everywhere else money is read.
 */
export function readAmount(text: string): TResult<string> {
  const notAmount = { ok: false as const, message: "adjustment amount is not an X12 decimal amount" };
  let position = 0;
  const negative = text.charCodeAt(0) === 45; // "-"
  if (negative) position = 1;
  let integer = "";
  let fraction = "";
  let seenPoint = false;
  let digits = 0;
  for (; position < text.length; position += 1) {
    const code = text.charCodeAt(position);
    if (code === 46 && !seenPoint) {
      seenPoint = true;
      continue;
    }
    if (!isDigit(code)) return notAmount;
    digits += 1;
    if (seenPoint) {
      if (fraction.length < 2) fraction += text[position];
      else if (code !== 48) return { ok: false, message: "adjustment amount has more than two decimal places" };
    } else if (integer !== "" || code !== 48) {
      // Leading zeros are dropped as they come, so a long run of them costs nothing.
      integer += text[position];
      if (integer.length > MAX_INTEGER_DIGITS) return { ok: false, message: "adjustment amount is too large" };
    }
  }
  if (digits === 0) return notAmount;
  const value = `${integer || "0"}.${fraction.padEnd(2, "0")}`;
  return { ok: true, value: negative && value !== "0.00" ? `-${value}` : value };
}
