import { describe, expect, it } from "vitest";
import { Random } from "../../../../../prisma/seed/random";
import { computeWindows, dateOf } from "../compute-windows";
import { explainDrift, type TExplainedEvent, type TMoments, type TRootCauseAggregates } from "./explain-drift";

/**
 * The root cause on generated cells (seeded, so every run sees the same lines): a planted CARC
 * is named first and dominant, a planted procedure-mix shift names the procedure, a payment cut
 * on one code names the code, the change date lands near the planted one, and cells without
 * any change name no dominant cause. The SQL that feeds it is tested in root-cause.test.ts.
 */

const WINDOWS = computeWindows("2026-11-27", { baselineDays: 90, currentDays: 14 });
const DAY_MS = 86_400_000;
const day = (offset: number) => new Date(dateOf(WINDOWS.baselineStart).getTime() + offset * DAY_MS).toISOString().slice(0, 10);
const DAYS = 104;
const CURRENT_FROM = 90;
/** The planted change: four days into the current window. */
const CHANGE = CURRENT_FROM + 4;

interface TLine {
  day: number;
  cpt: string;
  carc: string | null;
  rarcs: string[];
  /** The metric (1/0 for the Bernoulli types), null when not defined for the line. */
  value: number | null;
}

const add = (m: TMoments, v: number) => {
  m.n += 1;
  m.sum += v;
  m.sumSq += v * v;
};
const moments = (): TMoments => ({ n: 0, sum: 0, sumSq: 0 });

/** What query-root-cause-aggregates.ts computes, over an in-memory cell. */
function aggregate(lines: TLine[]): TRootCauseAggregates {
  const win = () => ({ lines: 0, denied: 0, metric: moments() });
  const out: TRootCauseAggregates = { baseline: win(), current: win(), carcs: [], rarcs: [], procedures: [], daily: [] };
  const carcs = new Map<string, { baseline: number; current: number }>();
  const rarcs = new Map<string, { baseline: number; current: number }>();
  const codes = new Map<string, { baseline: TMoments; current: TMoments }>();
  const daily = new Map<number, TMoments>();
  for (const line of lines) {
    const current = line.day >= CURRENT_FROM;
    const w = current ? out.current : out.baseline;
    w.lines += 1;
    if (line.carc) {
      w.denied += 1;
      const c = carcs.get(line.carc) ?? { baseline: 0, current: 0 };
      c[current ? "current" : "baseline"] += 1;
      carcs.set(line.carc, c);
    }
    for (const code of line.rarcs) {
      const r = rarcs.get(code) ?? { baseline: 0, current: 0 };
      r[current ? "current" : "baseline"] += 1;
      rarcs.set(code, r);
    }
    if (line.value === null) continue;
    add(w.metric, line.value);
    const p = codes.get(line.cpt) ?? { baseline: moments(), current: moments() };
    add(current ? p.current : p.baseline, line.value);
    codes.set(line.cpt, p);
    const d = daily.get(line.day) ?? moments();
    add(d, line.value);
    daily.set(line.day, d);
  }
  out.carcs = [...carcs].map(([carc, v]) => ({ carc, ...v }));
  out.rarcs = [...rarcs].map(([code, v]) => ({ code, ...v }));
  out.procedures = [...codes].map(([cptCode, v]) => ({ cptCode, ...v }));
  out.daily = [...daily].map(([d, m]) => ({ day: day(d), ...m }));
  return out;
}

/** `perDay` lines a day (none on Sundays), each drawn by `draw(rng, day)`. */
function cell(seed: number, perDay: number, draw: (rng: Random, day: number) => TLine): TLine[] {
  const rng = new Random(seed, "root-cause");
  const lines: TLine[] = [];
  for (let d = 0; d < DAYS; d += 1) {
    if (d % 7 === 6) continue;
    for (let i = 0; i < perDay; i += 1) lines.push(draw(rng, d));
  }
  return lines;
}

const pick = <T>(rng: Random, items: readonly T[]): T => items[rng.int(0, items.length - 1)]!;
const CODES = ["99213", "99214", "99215"] as const;
const event = (driftType: string, direction: "UP" | "DOWN" = "UP", denialReason: string | null = null): TExplainedEvent => ({
  driftType,
  direction,
  denialReason,
  windows: WINDOWS,
});
const daysBetween = (a: string, b: string) => Math.abs(dateOf(a).getTime() - dateOf(b).getTime()) / DAY_MS;

/** Denials at 9 % CO-50 throughout; CO-197 (with RARC N54) from 1 % of lines to 24 % from CHANGE. */
function carcShift(seed: number): TLine[] {
  return cell(seed, 30, (rng, d) => {
    const u = rng.next();
    const co197 = d >= CHANGE ? 0.24 : 0.01;
    const carc = u < co197 ? "CO-197" : u < co197 + 0.09 ? "CO-50" : null;
    return { day: d, cpt: pick(rng, CODES), carc, rarcs: carc === "CO-197" ? ["N54"] : [], value: carc ? 1 : 0 };
  });
}

describe("explainDrift", () => {
  it("a planted CARC shift is named first and dominant, with the change date within three days", () => {
    const cause = explainDrift(event("DENIAL_RATE"), aggregate(carcShift(11)));
    const [first] = cause.denialReasons.carcs;
    expect(first).toMatchObject({ group: "CO", code: "197", dominant: true });
    expect(first!.baselineShare).toBeLessThan(0.03);
    expect(first!.currentShare).toBeGreaterThan(0.15);
    expect(first!.shareOfChange).toBeGreaterThan(0.8);
    expect(cause.dominant).toMatchObject({ kind: "CARC", code: "CO-197" });
    expect(cause.denialReasons.rarcs[0]).toMatchObject({ code: "N54" });
    // Every code's denial rate rose alike: none of them is "the" cause.
    expect(cause.procedures.some((p) => p.dominant)).toBe(false);
    expect(cause.changeDate).not.toBeNull();
    expect(daysBetween(cause.changeDate!.date, day(CHANGE))).toBeLessThanOrEqual(3);
    expect(cause.changeDate!.low <= cause.changeDate!.date && cause.changeDate!.date <= cause.changeDate!.high).toBe(true);
    // The parts add up: CARC contributions to the denial-rate change, procedures to the metric's.
    const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
    expect(sum(cause.denialReasons.carcs.map((c) => c.contribution))).toBeCloseTo(cause.change!, 12);
    expect(sum(cause.procedures.map((p) => p.contribution))).toBeCloseTo(cause.change!, 12);
  });

  it("for the DENIAL_REASON event of the same cell, the CARC comes first as well", () => {
    const lines = carcShift(12).map((line) => ({ ...line, value: line.carc === "CO-197" ? 1 : 0 }));
    const cause = explainDrift(event("DENIAL_REASON", "UP", "CO-197"), aggregate(lines));
    expect(cause.metric).toBe("share of lines denied with CO-197");
    expect(cause.denialReasons.carcs[0]).toMatchObject({ group: "CO", code: "197", dominant: true });
    expect(daysBetween(cause.changeDate!.date, day(CHANGE))).toBeLessThanOrEqual(3);
  });

  it("a planted procedure-mix shift names the procedure (a mix effect), not a CARC", () => {
    // 99215 is denied 40 % of the time, the others 5 %; its share of lines goes from 10 % to 60 %.
    // Denials cite five CARCs evenly, so no single CARC explains half of the rise.
    const lines = cell(21, 30, (rng, d) => {
      const cpt = rng.chance(d >= CHANGE ? 0.6 : 0.1) ? "99215" : pick(rng, ["99213", "99214"] as const);
      const denied = rng.chance(cpt === "99215" ? 0.4 : 0.05);
      return { day: d, cpt, carc: denied ? pick(rng, ["CO-50", "CO-16", "CO-4", "CO-11", "CO-97"] as const) : null, rarcs: [], value: denied ? 1 : 0 };
    });
    const cause = explainDrift(event("DENIAL_RATE"), aggregate(lines));
    const [first] = cause.procedures;
    expect(first).toMatchObject({ cptCode: "99215", dominant: true });
    expect(first!.mixEffect).toBeGreaterThan(first!.rateEffect);
    expect(cause.dominant).toMatchObject({ kind: "PROCEDURE", code: "99215" });
    expect(cause.denialReasons.carcs.some((c) => c.dominant)).toBe(false);
    expect(daysBetween(cause.changeDate!.date, day(CHANGE))).toBeLessThanOrEqual(3);
  });

  it("a payment cut on one code names that code (a rate effect)", () => {
    const lines = cell(31, 30, (rng, d) => {
      const cpt = pick(rng, ["80053", "85025", "80061"] as const);
      const level = cpt === "80053" && d >= CHANGE ? 0.8 : 1;
      return { day: d, cpt, carc: null, rarcs: [], value: level * (1 + rng.normal(0, 0.05)) };
    });
    const cause = explainDrift(event("PAYMENT_AMOUNT", "DOWN"), aggregate(lines));
    expect(cause.change!).toBeLessThan(0);
    expect(cause.procedures[0]).toMatchObject({ cptCode: "80053", dominant: true });
    expect(cause.procedures[0]!.rateEffect).toBeLessThan(cause.procedures[0]!.mixEffect);
    expect(daysBetween(cause.changeDate!.date, day(CHANGE))).toBeLessThanOrEqual(3);
    expect(cause.denialReasons.carcs).toEqual([]);
  });

  it("null data: no dominant cause and (almost) no change date across 200 cells", () => {
    // Family-wise 0.001 per cell: 0.2 spurious causes expected in 200 cells; the Schwarz
    // criterion for the change date is looser (a few percent).
    let dominant = 0;
    let dated = 0;
    for (let seed = 1; seed <= 200; seed += 1) {
      const lines = cell(1000 + seed, 30, (rng, d) => {
        const u = rng.next();
        const carc = u < 0.04 ? "CO-50" : u < 0.07 ? "CO-197" : u < 0.1 ? "CO-16" : null;
        return { day: d, cpt: pick(rng, CODES), carc, rarcs: carc && rng.chance(0.5) ? ["N54"] : [], value: carc ? 1 : 0 };
      });
      const cause = explainDrift(event("DENIAL_RATE", seed % 2 === 0 ? "UP" : "DOWN"), aggregate(lines));
      if (cause.dominant) dominant += 1;
      if (cause.changeDate) dated += 1;
    }
    expect(dominant).toBeLessThanOrEqual(2);
    expect(dated).toBeLessThanOrEqual(20);
  });

  it("a type it cannot decompose still gets its denial reasons, and no date", () => {
    const lines = carcShift(13).map((line) => ({ ...line, value: null }));
    const cause = explainDrift(event("SOME_FUTURE_TYPE"), aggregate(lines));
    expect(cause).toMatchObject({ baselineValue: null, currentValue: null, change: null, procedures: [], changeDate: null });
    expect(cause.denialReasons.carcs[0]).toMatchObject({ code: "197", shareOfChange: null, dominant: false });
  });
});
