import type { TParseResult } from "./row-error";

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
// Time and zone are validated but dropped: a claim decided at 23:00 in the payer's zone
// happened on that calendar day, so the date is kept exactly as written, never shifted to UTC.
const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):?(\d{2}))?$/i;
const US_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;

// Outside this window a date is a typo (e.g. 0224 for 2024) rather than a real claim date.
const MIN_YEAR = 1900;
const MAX_YEAR = 2100;

const NOT_A_DATE = "not a valid date: use YYYY-MM-DD, ISO 8601 or MM/DD/YYYY";

/** Accepts YYYY-MM-DD, ISO 8601 date-times and US MM/DD/YYYY; returns YYYY-MM-DD. */
export function parseDate(input: string): TParseResult<string> {
  const text = input.trim();
  const iso = ISO_DATE.exec(text);
  if (iso) return calendarDate(iso[1], iso[2], iso[3]);
  const isoTime = ISO_DATE_TIME.exec(text);
  if (isoTime) {
    const [, year, month, day, hour, minute, second, zoneHour, zoneMinute] = isoTime;
    if (!inRange(hour, 0, 23) || !inRange(minute, 0, 59) || !inRange(second ?? "0", 0, 60)) {
      return fail(NOT_A_DATE);
    }
    if (!inRange(zoneHour ?? "0", 0, 14) || !inRange(zoneMinute ?? "0", 0, 59)) return fail(NOT_A_DATE);
    return calendarDate(year, month, day);
  }
  const us = US_DATE.exec(text);
  if (us) return calendarDate(us[3], us[1], us[2]);
  return fail(NOT_A_DATE);
}

/** Builds YYYY-MM-DD from parts, rejecting days a calendar does not have (02/30, 04/31). */
export function calendarDate(yearText: string | undefined, monthText: string | undefined, dayText: string | undefined): TParseResult<string> {
  const year = Number(yearText);
  const month = Number(monthText);
  const day = Number(dayText);
  if (!Number.isInteger(year) || !Number.isInteger(month) || !Number.isInteger(day)) return fail(NOT_A_DATE);
  if (year < MIN_YEAR || year > MAX_YEAR) return fail(`year must be between ${MIN_YEAR} and ${MAX_YEAR}`);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return fail(NOT_A_DATE);
  const pad = (n: number, width: number) => String(n).padStart(width, "0");
  return { ok: true, value: `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}` };
}

function daysInMonth(year: number, month: number): number {
  // Day 0 of the next month is the last day of this one; UTC avoids DST edge cases.
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function inRange(text: string | undefined, min: number, max: number): boolean {
  const value = Number(text);
  return Number.isInteger(value) && value >= min && value <= max;
}

function fail(message: string): TParseResult<string> {
  return { ok: false, message };
}
