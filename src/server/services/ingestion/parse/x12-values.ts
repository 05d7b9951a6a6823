import { calendarDate } from "./parse-date";
import type { TParseResult } from "./row-error";

// X12 "R" (decimal) elements: optional minus, digits, optional decimal point; no exponent.
const X12_DECIMAL = /^-?(?:\d+\.?\d*|\.\d+)$/;

/** CCYYMMDD (X12 DT) to YYYY-MM-DD. */
export function x12Date(text: string): TParseResult<string> {
  const match = /^(\d{4})(\d{2})(\d{2})$/.exec(text);
  const parsed = match ? calendarDate(match[1], match[2], match[3]) : undefined;
  // calendarDate's own wording names the CSV formats; an X12 sender needs CCYYMMDD.
  if (!parsed || (!parsed.ok && !parsed.message.startsWith("year"))) {
    return { ok: false, message: "not a valid X12 date (CCYYMMDD)" };
  }
  return parsed;
}

/**
 * Integer cents of an X12 amount, sign kept (reversals are negative). Only used for the
 * outcome rules and reversal matching; the amount text itself goes through parseMoney.
 */
export function x12Cents(text: string): TParseResult<number> {
  if (!X12_DECIMAL.test(text)) return { ok: false, message: "not an X12 decimal amount" };
  const cents = Math.round(Number(text) * 100);
  if (!Number.isSafeInteger(cents)) return { ok: false, message: "amount is too large" };
  return { ok: true, value: cents };
}
