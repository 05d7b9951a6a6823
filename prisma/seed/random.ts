/**
 * Seeded randomness for the demo and test data generator. Math.random is never used: the same
 * seed must give the same data on every machine, so the PRNG (sfc32, seeded through cyrb128) and
 * every distribution helper here are plain arithmetic on 32-bit integers and doubles.
 */

/** cyrb128: a string -> four 32-bit seeds, good enough to decorrelate named streams. */
function cyrb128(text: string): [number, number, number, number] {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** A stream named by (seed, name): streams with different names are independent. */
  constructor(seed: number, name = "") {
    [this.a, this.b, this.c, this.d] = cyrb128(`${seed}\u0000${name}`);
    // Discard the first outputs: sfc32 mixes its state in a few rounds.
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** sfc32 (Chris Doty-Humphrey's Small Fast Counting generator), 32 bits per call. */
  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error("pick from an empty list");
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** Standard normal by Box–Muller (one draw per call: simpler to keep streams aligned). */
  normal(mean = 0, sd = 1): number {
    const u1 = 1 - this.next(); // (0, 1]: log never sees 0
    const u2 = this.next();
    return mean + sd * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** Log-normal given its median (e^mu) and the sigma of the underlying normal. */
  logNormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }

  /** Pareto (type I) with scale xm > 0 and shape alpha > 0, by inversion. */
  pareto(xm: number, alpha: number): number {
    return xm * Math.pow(1 - this.next(), -1 / alpha);
  }

  /** Geometric number of failures before the first success, mean (1 - p) / p. */
  geometric(p: number): number {
    if (p >= 1) return 0;
    return Math.floor(Math.log(1 - this.next()) / Math.log(1 - p));
  }
}

/** Weighted sampling by binary search over cumulative weights: O(log n) per draw. */
export class WeightedTable<T> {
  readonly items: readonly T[];
  private readonly cumulative: Float64Array;
  private readonly total: number;

  constructor(entries: ReadonlyArray<readonly [T, number]>) {
    const kept = entries.filter(([, weight]) => weight > 0);
    if (kept.length === 0) throw new Error("a weighted table needs at least one positive weight");
    this.items = kept.map(([item]) => item);
    this.cumulative = new Float64Array(kept.length);
    let sum = 0;
    kept.forEach(([, weight], i) => {
      if (!Number.isFinite(weight)) throw new Error("weights must be finite");
      sum += weight;
      this.cumulative[i] = sum;
    });
    this.total = sum;
  }

  sample(rng: Random): T {
    const target = rng.next() * this.total;
    let low = 0;
    let high = this.cumulative.length - 1;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((this.cumulative[mid] as number) > target) high = mid;
      else low = mid + 1;
    }
    return this.items[low] as T;
  }

  /** The probability of each item, in item order. */
  probabilities(): number[] {
    return Array.from(this.cumulative, (value, i) => (value - (i === 0 ? 0 : (this.cumulative[i - 1] as number))) / this.total);
  }
}

/**
 * Splits `total` into integers proportional to `weights` that add up to exactly `total`
 * (Hamilton's largest-remainder method; ties go to the earlier index).
 */
export function allocateLargestRemainder(total: number, weights: readonly number[]): number[] {
  if (!Number.isInteger(total) || total < 0) throw new Error("total must be a non-negative integer");
  const sum = weights.reduce((acc, w) => acc + w, 0);
  if (weights.length === 0 || !(sum > 0)) throw new Error("weights must have a positive sum");
  const exact = weights.map((w) => (w / sum) * total);
  const counts = exact.map((x) => Math.floor(x));
  let missing = total - counts.reduce((acc, c) => acc + c, 0);
  const order = exact.map((x, i) => ({ i, remainder: x - Math.floor(x) })).sort((p, q) => q.remainder - p.remainder || p.i - q.i);
  for (const { i } of order) {
    if (missing <= 0) break;
    counts[i] = (counts[i] as number) + 1;
    missing--;
  }
  return counts;
}

/** Zipf weights rank^-exponent for ranks 1..n (the rank-size form of a Pareto distribution). */
export function zipfWeights(n: number, exponent: number): number[] {
  return Array.from({ length: n }, (_, i) => Math.pow(i + 1, -exponent));
}

/** Share held by the first `top` of the weights. */
export function topShare(weights: readonly number[], top: number): number {
  const sum = weights.reduce((acc, w) => acc + w, 0);
  return weights.slice(0, top).reduce((acc, w) => acc + w, 0) / sum;
}

/**
 * The Zipf exponent at which the top ceil(topFraction * n) of n ranks hold `share` of the total,
 * found by bisection (the share grows monotonically with the exponent). 0 when n <= 1.
 */
export function paretoExponent(n: number, topFraction = 0.2, share = 0.8): number {
  if (n <= 1) return 0;
  const top = Math.max(1, Math.ceil(topFraction * n));
  if (topShare(zipfWeights(n, 0), top) >= share) return 0;
  let low = 0;
  let high = 1;
  while (topShare(zipfWeights(n, high), top) < share) high *= 2;
  for (let i = 0; i < 100; i++) {
    const mid = (low + high) / 2;
    if (topShare(zipfWeights(n, mid), top) < share) low = mid;
    else high = mid;
  }
  return (low + high) / 2;
}
