import type { TParseResult } from "./row-error";

// Ten integer digits (just under ten billion) is far beyond any single claim line and keeps
// every amount exact as integer cents in a JavaScript number.
const MAX_INTEGER_DIGITS = 10;

// Either plain digits or correctly grouped thousands: "12,34" is rejected because it is
// ambiguous (a European decimal comma?) and guessing would silently change the amount.
// Checked by scanning, not by a regular expression: amounts come from uploaded files, and a
// pattern such as (\d*)(?:\.(\d*))?$ backtracks quadratically on a long digit run that ends
// in a wrong character.

const NOT_MONEY = "not a money amount: use digits with an optional $, thousands commas and two decimals";
const NEGATIVE = "negative amounts are not allowed";
const TOO_PRECISE = "more than two decimal places";
const TOO_LARGE = "amount is too large";

/**
 * Money in, canonical "1234.50" out. Amounts stay decimal strings end to end so no float
 * rounding creeps into revenue figures; numbers (from JSON) are accepted when they are a
 * whole number of cents.
 */
export function parseMoney(input: string | number): TParseResult<string> {
  if (typeof input === "number") return parseMoneyNumber(input);
  return parseMoneyString(input);
}

function parseMoneyNumber(input: number): TParseResult<string> {
  if (!Number.isFinite(input)) return fail(NOT_MONEY);
  if (input < 0) return fail(NEGATIVE);
  const scaled = input * 100;
  const cents = Math.round(scaled);
  // JSON producers send 0.1 + 0.2 style values; tolerate float noise, not real sub-cent values.
  if (Math.abs(scaled - cents) > 1e-6) return fail(TOO_PRECISE);
  if (cents >= 10 ** (MAX_INTEGER_DIGITS + 2)) return fail(TOO_LARGE);
  return { ok: true, value: formatCents(cents) };
}

function parseMoneyString(input: string): TParseResult<string> {
  let text = input.trim();
  let negative = false;
  // Accounting exports write negatives as "(12.00)"; they must be caught, not misread.
  if (text.startsWith("(") && text.endsWith(")")) {
    negative = true;
    text = text.slice(1, -1).trim();
  }
  if (text.startsWith("-")) {
    negative = true;
    text = text.slice(1).trim();
  } else if (text.startsWith("+")) {
    text = text.slice(1).trim();
  }
  if (text.startsWith("$")) text = text.slice(1).trim();
  if (text.startsWith("-")) {
    negative = true;
    text = text.slice(1).trim();
  }
  const point = text.indexOf(".");
  const integerText = point === -1 ? text : text.slice(0, point);
  const fraction = point === -1 ? "" : text.slice(point + 1);
  if (!isDigits(fraction, 0)) return fail(NOT_MONEY);
  const integerDigits = thousandsDigits(integerText);
  if (integerDigits === undefined) return fail(NOT_MONEY);
  if (integerDigits === "" && fraction === "") return fail(NOT_MONEY);
  for (let position = 2; position < fraction.length; position += 1) if (fraction[position] !== "0") return fail(TOO_PRECISE);
  let leadingZeros = 0;
  while (leadingZeros < integerDigits.length - 1 && integerDigits[leadingZeros] === "0") leadingZeros += 1;
  const integer = integerDigits.slice(leadingZeros) || "0";
  if (integer.length > MAX_INTEGER_DIGITS) return fail(TOO_LARGE);
  const value = `${integer}.${fraction.slice(0, 2).padEnd(2, "0")}`;
  if (negative && value !== "0.00") return fail(NEGATIVE);
  return { ok: true, value };
}

function isDigits(text: string, from: number): boolean {
  for (let position = from; position < text.length; position += 1) {
    const code = text.charCodeAt(position);
    if (code < 48 || code > 57) return false;
  }
  return true;
}

/** "1,234,567" or "1234567" (or "") to its digits; undefined when the grouping is wrong. */
function thousandsDigits(text: string): string | undefined {
  const firstComma = text.indexOf(",");
  if (firstComma === -1) return isDigits(text, 0) ? text : undefined;
  if (firstComma < 1 || firstComma > 3) return undefined;
  // One pass: a comma every fourth character after the first group, digits everywhere else.
  let digits = "";
  for (let position = 0; position < text.length; position += 1) {
    const code = text.charCodeAt(position);
    const commaHere = position >= firstComma && (position - firstComma) % 4 === 0;
    if (commaHere ? code !== 44 : code < 48 || code > 57) return undefined;
  }
  if ((text.length - firstComma) % 4 !== 0) return undefined;
  for (let position = 0; position < text.length; position += 1) if (text[position] !== ",") digits += text[position];
  return digits;
}

/** Integer cents of a canonical amount produced by parseMoney (exact: see MAX_INTEGER_DIGITS). */
export function moneyToCents(canonical: string): number {
  const [integer = "0", fraction = "00"] = canonical.split(".");
  return Number(integer) * 100 + Number(fraction.padEnd(2, "0").slice(0, 2));
}

function formatCents(cents: number): string {
  return `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, "0")}`;
}

function fail(message: string): TParseResult<string> {
  return { ok: false, message };
}
