import { db, type TTx } from "./client";
import { isWriteConflict } from "./prisma-errors";

/**
 * Transactions with sane timeouts that retry write conflicts: serialization failures (40001)
 * and deadlocks (40P01). Prisma reports them as P2034, or, through the pg driver adapter, as a
 * driver-adapter error whose kind is a write conflict; we look for any of these in the cause
 * chain. Retries back off with full jitter and are bounded.
 */

export interface TTransactionOptions {
  isolationLevel?: "ReadCommitted" | "RepeatableRead" | "Serializable";
  /** Attempts in all, including the first. */
  maxAttempts?: number;
  timeoutMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function withTransaction<T>(fn: (tx: TTx) => Promise<T>, options: TTransactionOptions = {}): Promise<T> {
  const maxAttempts = options.maxAttempts ?? 5;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await db().$transaction(fn, {
        isolationLevel: options.isolationLevel ?? "ReadCommitted",
        maxWait: 10_000,
        timeout: options.timeoutMs ?? 30_000,
      });
    } catch (error) {
      if (attempt >= maxAttempts || !isWriteConflict(error)) throw error;
      // Full jitter: 0..(25 ms * 2^attempt), capped at 1 s.
      await sleep(Math.random() * Math.min(1000, 25 * 2 ** attempt));
    }
  }
}
