import { logFactorial } from "../statistics";

/**
 * When did a daily series change level? One step of binary segmentation: every split of the
 * days into "before" and "after" is scored by its likelihood, the best one is the estimate, and
 * it counts only when it beats "no change" by the Schwarz information criterion (Chen & Gupta,
 * "Parametric Statistical Change Point Analysis", ch. 2–3): 2·(ℓ_split − ℓ_none) > 2·ln N, N the
 * number of observations (claim lines), not days — a day with 300 lines weighs 300 times one
 * with a single line.
 *
 * The uncertainty is the 95 % interval of the split position's posterior under a flat prior over
 * splits, with the segment levels integrated out (Bernoulli: uniform priors, so each segment's
 * evidence is B(S+1, N−S+1); Gaussian with one shared unknown variance: flat means and a Jeffreys
 * variance give ∝ N₁^−½ · N₂^−½ · RSS^−(N−2)/2). Deterministic — no resampling — and it widens
 * by itself when the days around the change carry few lines.
 *
 * Days are whole numbers (e.g. days since the window start) and may have gaps (weekends): a
 * split between day 10 and day 13 means the change began on day 11, 12 or 13; the estimate
 * names 13, the first day observed in the new regime, and the interval reaches back to 11.
 * Pure: same points, same answer.
 */

export type TChangeModel = "BERNOULLI" | "GAUSSIAN";

/** One day: `n` observations summing to `sum` (Bernoulli: successes), squares summing to `sumSq`. */
export interface TDailyPoint {
  day: number;
  n: number;
  sum: number;
  sumSq: number;
}

export interface TChangePoint {
  /** First day observed in the new regime (the estimate). */
  day: number;
  /** Earliest and latest day the change may have begun (95 % posterior interval). */
  low: number;
  high: number;
  /** Mean level before and after the split. */
  before: number;
  after: number;
  /** 2 × (log-likelihood of the best split − of no split). */
  statistic: number;
  /** The Schwarz penalty it is compared with: 2 ln N. */
  threshold: number;
  significant: boolean;
}

const LEVEL = 0.95;

interface TSegment {
  n: number;
  sum: number;
  sumSq: number;
}

const xlogx = (x: number) => (x > 0 ? x * Math.log(x) : 0);

function bernoulliProfile(s: TSegment): number {
  const p = s.sum / s.n;
  return (xlogx(p) + xlogx(1 - p)) * s.n;
}

/** ln B(S+1, N−S+1) for whole counts: ln S! + ln (N−S)! − ln (N+1)!. */
function bernoulliEvidence(s: TSegment): number {
  const successes = Math.round(s.sum);
  return logFactorial(successes) + logFactorial(Math.round(s.n) - successes) - logFactorial(Math.round(s.n) + 1);
}

const rss = (s: TSegment) => Math.max(0, s.sumSq - (s.sum * s.sum) / s.n);

interface TScoredSplits {
  days: TDailyPoint[];
  total: TSegment;
  none: number;
  /** Per split i (days[0..i] before, days[i+1..] after): profile log-likelihood, log evidence. */
  profile: number[];
  evidence: number[];
  splits: Array<{ left: TSegment; right: TSegment }>;
}

function scoreSplits(points: readonly TDailyPoint[], model: TChangeModel): TScoredSplits | null {
  const days = points.filter((p) => p.n > 0).sort((a, b) => a.day - b.day);
  if (days.length < 2) return null;
  if (model === "BERNOULLI") {
    for (const p of days) {
      if (!Number.isInteger(p.n) || !Number.isInteger(p.sum) || p.sum < 0 || p.sum > p.n) throw new RangeError(`Bernoulli day ${p.day}: ${p.sum} of ${p.n}`);
    }
  }
  const total: TSegment = days.reduce((acc, p) => ({ n: acc.n + p.n, sum: acc.sum + p.sum, sumSq: acc.sumSq + p.sumSq }), { n: 0, sum: 0, sumSq: 0 });
  // A floor on the residual sum of squares keeps a perfectly clean step finite (ln 0).
  const floor = 1e-12 * Math.max(1, rss(total));
  const gaussianProfile = (residual: number) => -(total.n / 2) * Math.log(Math.max(residual, floor) / total.n);

  const none = model === "BERNOULLI" ? bernoulliProfile(total) : gaussianProfile(rss(total));
  const profile: number[] = [];
  const evidence: number[] = [];
  const splits: Array<{ left: TSegment; right: TSegment }> = [];
  let left: TSegment = { n: 0, sum: 0, sumSq: 0 };
  for (let k = 1; k < days.length; k += 1) {
    const p = days[k - 1]!;
    left = { n: left.n + p.n, sum: left.sum + p.sum, sumSq: left.sumSq + p.sumSq };
    const right = { n: total.n - left.n, sum: total.sum - left.sum, sumSq: total.sumSq - left.sumSq };
    splits.push({ left, right });
    if (model === "BERNOULLI") {
      profile.push(bernoulliProfile(left) + bernoulliProfile(right));
      evidence.push(bernoulliEvidence(left) + bernoulliEvidence(right));
    } else {
      const residual = rss(left) + rss(right);
      profile.push(gaussianProfile(residual));
      // Needs N > 2 for the variance; with two observations every split is equally likely.
      evidence.push(total.n > 2 ? -0.5 * Math.log(left.n) - 0.5 * Math.log(right.n) - ((total.n - 2) / 2) * Math.log(Math.max(residual, floor)) : 0);
    }
  }
  return { days, total, none, profile, evidence, splits };
}

function normalise(evidence: readonly number[]): number[] {
  const top = Math.max(...evidence);
  const weights = evidence.map((e) => Math.exp(e - top));
  const mass = weights.reduce((a, b) => a + b, 0);
  return weights.map((w) => w / mass);
}

/** The posterior probability that the new regime starts on each observed day after the first. */
export function splitPosterior(points: readonly TDailyPoint[], model: TChangeModel): Array<{ day: number; probability: number }> {
  const scored = scoreSplits(points, model);
  if (!scored) return [];
  return normalise(scored.evidence).map((probability, i) => ({ day: scored.days[i + 1]!.day, probability }));
}

export function findChangePoint(points: readonly TDailyPoint[], model: TChangeModel): TChangePoint | null {
  const scored = scoreSplits(points, model);
  if (!scored) return null;
  const { days, total, none, profile, splits } = scored;
  let best = 0;
  for (let i = 1; i < profile.length; i += 1) if (profile[i]! > profile[best]!) best = i;
  let cumulative = 0;
  let lowIndex = -1;
  let highIndex = -1;
  normalise(scored.evidence).forEach((probability, i) => {
    cumulative += probability;
    if (lowIndex < 0 && cumulative >= (1 - LEVEL) / 2) lowIndex = i;
    if (highIndex < 0 && cumulative >= 1 - (1 - LEVEL) / 2 - 1e-12) highIndex = i;
  });
  lowIndex = Math.min(lowIndex < 0 ? best : lowIndex, best);
  highIndex = Math.max(highIndex < 0 ? best : highIndex, best);

  // Split i puts days[0..i] before and days[i+1..] after.
  const statistic = Math.max(0, 2 * (profile[best]! - none));
  const threshold = 2 * Math.log(total.n);
  const { left: before, right: after } = splits[best]!;
  return {
    day: days[best + 1]!.day,
    low: days[lowIndex]!.day + 1,
    high: days[highIndex + 1]!.day,
    before: before.sum / before.n,
    after: after.sum / after.n,
    statistic,
    threshold,
    significant: statistic > threshold,
  };
}
