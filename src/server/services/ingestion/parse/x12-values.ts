import { calendarDate } from "./parse-date";
import type { TParseResult } from "./row-error";

// Far beyond any amount on a remittance; longer digit runs are refused before any arithmetic.
const MAX_AMOUNT_CHARS = 20;

/** CCYYMMDD (X12 DT) to YYYY-MM-DD. */
export function x12Date(text: string): TParseResult<string> {
  const parsed = text.length === 8 && isDigits(text, 0, 8) ? calendarDate(text.slice(0, 4), text.slice(4, 6), text.slice(6, 8)) : undefined;
  // calendarDate's own wording names the CSV formats; an X12 sender needs CCYYMMDD.
  if (!parsed || (!parsed.ok && !parsed.message.startsWith("year"))) {
    return { ok: false, message: "not a valid X12 date (CCYYMMDD)" };
  }
  return parsed;
}

/**
 * Integer cents of an X12 amount, sign kept (reversals are negative). Only used for the
 * outcome rules and reversal matching; the amount text itself goes through parseMoney.
 *
 * X12 "R" (decimal) elements: optional minus, digits, optional decimal point; no exponent.
 * Checked by one scan, not a regular expression: an alternation such as \d+\.?\d* backtracks
 * quadratically on a long run of digits that ends in a wrong character.
 */
export function x12Cents(text: string): TParseResult<number> {
  if (!isX12Decimal(text)) return { ok: false, message: "not an X12 decimal amount" };
  if (text.length > MAX_AMOUNT_CHARS) return { ok: false, message: "amount is too large" };
  const cents = Math.round(Number(text) * 100);
  if (!Number.isSafeInteger(cents)) return { ok: false, message: "amount is too large" };
  return { ok: true, value: cents };
}

/** -?(digits[.digits] | .digits), in one pass. */
export function isX12Decimal(text: string): boolean {
  let position = text.startsWith("-") ? 1 : 0;
  let digits = 0;
  let point = false;
  for (; position < text.length; position += 1) {
    const code = text.charCodeAt(position);
    if (code >= 48 && code <= 57) digits += 1;
    else if (code === 46 && !point) point = true;
    else return false;
  }
  return digits > 0;
}

function isDigits(text: string, from: number, to: number): boolean {
  for (let position = from; position < to; position += 1) {
    const code = text.charCodeAt(position);
    if (code < 48 || code > 57) return false;
  }
  return true;
}
