import { db, type TTx } from "./client";
import { isWriteConflict } from "./prisma-errors";

/**
 * Transactions with sane timeouts that retry write conflicts: serialization failures (40001)
 * and deadlocks (40P01). Prisma reports them as P2034, or, through the pg driver adapter, as a
 * driver-adapter error whose kind is a write conflict; `isWriteConflict` looks for any of these
 * in the cause chain. Retries back off with full jitter and are bounded.
 */

export interface TTransactionOptions {
  isolationLevel?: "ReadCommitted" | "RepeatableRead" | "Serializable";
  /** Attempts in all, including the first. */
  maxAttempts?: number;
  timeoutMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function transactionSettings(options: TTransactionOptions) {
  return {
    isolationLevel: options.isolationLevel ?? "ReadCommitted",
    maxWait: 10_000,
    timeout: options.timeoutMs ?? 30_000,
  } as const;
}

/** Runs `attempt` again after a write conflict, up to `maxAttempts` times in all. */
export async function retryWriteConflicts<T>(attempt: () => Promise<T>, maxAttempts = 5): Promise<T> {
  for (let n = 1; ; n += 1) {
    try {
      return await attempt();
    } catch (error) {
      if (n >= maxAttempts || !isWriteConflict(error)) throw error;
      // Full jitter: 0..(25 ms * 2^n), capped at 1 s.
      await sleep(Math.random() * Math.min(1000, 25 * 2 ** n));
    }
  }
}

export function withTransaction<T>(fn: (tx: TTx) => Promise<T>, options: TTransactionOptions = {}): Promise<T> {
  return retryWriteConflicts(() => db().$transaction(fn, transactionSettings(options)), options.maxAttempts);
}
