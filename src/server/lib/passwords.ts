import { hash, parseOptions, verify } from "@node-rs/argon2";

/**
 * Password hashing with argon2id (PHC string format, salt and parameters inside the hash).
 * Defaults follow the OWASP Password Storage Cheat Sheet (argon2id, m = 19 MiB, t = 2, p = 1).
 * Tests use a much smaller work factor so suites stay fast: NODE_ENV=test or ARGON2_TEST_FAST=1
 * selects it (never when NODE_ENV or DRIFTLINE_MODE is "production"), and
 * `setPasswordHashParams` (or the `params` argument) picks any other. `needsRehash` tells the
 * sign-in path when a stored hash was made with other parameters, so it can be upgraded.
 */

export interface TPasswordHashParams {
  /** Memory in KiB. */
  memoryCost: number;
  /** Passes over memory. */
  timeCost: number;
  parallelism: number;
}

export const OWASP_PASSWORD_HASH_PARAMS: Readonly<TPasswordHashParams> = Object.freeze({
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
});

/** Fast and weak: for tests only. */
export const TEST_PASSWORD_HASH_PARAMS: Readonly<TPasswordHashParams> = Object.freeze({
  memoryCost: 1_024,
  timeCost: 1,
  parallelism: 1,
});

// @node-rs/argon2's Algorithm is a const enum, which isolatedModules cannot import: 2 = Argon2id.
const ARGON2ID = 2;
// Passwords longer than this are refused before hashing: argon2 cost is linear in input length.
export const MAX_PASSWORD_LENGTH = 1_024;

let configured: TPasswordHashParams | undefined;

/** Overrides the parameters new hashes use (undefined restores the defaults). */
export function setPasswordHashParams(params: TPasswordHashParams | undefined): void {
  configured = params ? { ...params } : undefined;
}

/** The parameters new hashes use now. */
export function passwordHashParams(): TPasswordHashParams {
  if (configured) return configured;
  const production = process.env.NODE_ENV === "production" || process.env.DRIFTLINE_MODE === "production";
  const fast = process.env.NODE_ENV === "test" || process.env.ARGON2_TEST_FAST === "1";
  return fast && !production ? { ...TEST_PASSWORD_HASH_PARAMS } : { ...OWASP_PASSWORD_HASH_PARAMS };
}

/** An argon2id PHC string such as `$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`. */
export async function hashPassword(password: string, params: TPasswordHashParams = passwordHashParams()): Promise<string> {
  if (password.length === 0) throw new Error("password must not be empty");
  if (password.length > MAX_PASSWORD_LENGTH) throw new Error(`password must be at most ${MAX_PASSWORD_LENGTH} characters`);
  return hash(password, { ...params, algorithm: ARGON2ID });
}

/**
 * True when `password` matches `storedHash`. Never throws for a bad or foreign hash string
 * (false instead), so callers cannot leak which accounts have odd hashes.
 */
export async function verifyPassword(storedHash: string, password: string): Promise<boolean> {
  if (password.length === 0 || password.length > MAX_PASSWORD_LENGTH) return false;
  if (!storedHash.startsWith("$argon2")) return false;
  try {
    return await verify(storedHash, password);
  } catch {
    return false;
  }
}

/** True when the hash was made with another algorithm or other parameters than the current ones. */
export function needsRehash(storedHash: string, params: TPasswordHashParams = passwordHashParams()): boolean {
  try {
    const parsed = parseOptions(storedHash);
    return (
      parsed.algorithm !== ARGON2ID ||
      parsed.memoryCost !== params.memoryCost ||
      parsed.timeCost !== params.timeCost ||
      parsed.parallelism !== params.parallelism
    );
  } catch {
    return true;
  }
}

let dummyHash: Promise<string> | undefined;

/**
 * Spends the time of one verification against a throwaway hash: call it when the account does
 * not exist, so response times do not reveal which emails are registered. Always false.
 */
export async function verifyDummyPassword(password: string): Promise<false> {
  dummyHash ??= hashPassword("driftline-dummy-password-never-matches");
  await verifyPassword(await dummyHash, password);
  return false;
}
