import { hash, verify } from "@node-rs/argon2";

// Algorithm.Argon2id; the package exports it as a const enum, which isolated modules cannot read.
const ARGON2ID = 2;

/**
 * Password hashing with argon2id at OWASP's recommended minimum (19 MiB memory, 2 passes,
 * 1 lane). Tests may lower the cost with ARGON2_TEST_FAST=1 (never honoured in production).
 */
const fast = process.env.ARGON2_TEST_FAST === "1" && process.env.NODE_ENV !== "production";
const OPTIONS = fast
  ? { algorithm: ARGON2ID, memoryCost: 1024, timeCost: 1, parallelism: 1 }
  : { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

/** False for a wrong password and for a malformed stored hash alike. */
export async function verifyPassword(storedHash: string, password: string): Promise<boolean> {
  try {
    return await verify(storedHash, password);
  } catch {
    return false;
  }
}
