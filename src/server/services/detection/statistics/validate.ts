// Input guards shared by the statistics functions. Bad input throws RangeError instead of
// quietly yielding NaN: a NaN p-value would slip through Benjamini–Hochberg and the gates and
// surface much later as a missing or bogus drift event, far from its cause.

export function assertCount(value: number, name: string): void {
  if (!Number.isInteger(value) || value < 0) {
    throw new RangeError(`${name} must be a non-negative integer, got ${value}`);
  }
}

/** A success count out of a positive number of trials. */
export function assertProportionCounts(x: number, n: number, label: string): void {
  assertCount(x, `${label} successes`);
  assertCount(n, `${label} trials`);
  if (n === 0) {
    throw new RangeError(`${label} trials must be positive: a proportion of 0 trials is undefined`);
  }
  if (x > n) {
    throw new RangeError(`${label} successes (${x}) cannot exceed its trials (${n})`);
  }
}

export function assertSample(values: readonly number[], name: string, minLength = 1): void {
  if (values.length < minLength) {
    throw new RangeError(`${name} needs at least ${minLength} value${minLength === 1 ? "" : "s"}, got ${values.length}`);
  }
  for (const value of values) {
    if (!Number.isFinite(value)) {
      throw new RangeError(`${name} must contain only finite numbers, got ${value}`);
    }
  }
}

export function assertProbability(value: number, name: string): void {
  if (!(value >= 0 && value <= 1)) {
    throw new RangeError(`${name} must be a probability in [0, 1], got ${value}`);
  }
}
