/**
 * Detection windows, inclusive calendar days (UTC). The current window is the `currentDays`
 * days before `asOf` (asOf itself excluded: its claims are still arriving), the baseline the
 * `baselineDays` days before that — the same convention as the seed's planted drifts.
 */
export interface TWindows {
  baselineStart: string;
  baselineEnd: string;
  currentStart: string;
  currentEnd: string;
}

const DAY_MS = 86_400_000;

export function toIsoDay(value: Date | string): string {
  if (typeof value === "string") {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) {
      throw new RangeError(`not a YYYY-MM-DD date: ${value}`);
    }
    return value;
  }
  return value.toISOString().slice(0, 10);
}

function shift(isoDay: string, days: number): string {
  return new Date(Date.parse(`${isoDay}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

export function computeWindows(asOf: Date | string, settings: { baselineDays: number; currentDays: number }): TWindows {
  const currentEnd = shift(toIsoDay(asOf), -1);
  const currentStart = shift(currentEnd, -(settings.currentDays - 1));
  const baselineEnd = shift(currentStart, -1);
  const baselineStart = shift(baselineEnd, -(settings.baselineDays - 1));
  return { baselineStart, baselineEnd, currentStart, currentEnd };
}

/** A DATE column's value (midnight UTC) for Prisma. */
export function dateOf(isoDay: string): Date {
  return new Date(`${isoDay}T00:00:00Z`);
}
