import { env } from "@/env";

/**
 * The retry policy (PRODUCT.md §5). WEBHOOK_RETRY_SCHEDULE lists, for each attempt, the delay
 * before it ("0s,5s,5m,30m,2h": the first attempt at once, the second 5 s after the first
 * failed, …), so its length is the maximum number of attempts; after the last one a retryable
 * failure is DEAD. Delays get up to +10 % jitter so a recovering receiver is not hit by a
 * synchronized wave; a Retry-After header (seconds or HTTP date) is honoured when it asks for
 * longer, up to 24 hours.
 */

export type TAttemptOutcome = { kind: "delivered" } | { kind: "retry"; retryAfterMs: number | null } | { kind: "failed" } | { kind: "gone" };

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
const MAX_RETRY_AFTER_MS = 24 * 3_600_000;

export function parseRetrySchedule(text: string): number[] {
  return text.split(",").map((part) => {
    const match = part.trim().match(/^(\d+)(ms|s|m|h)$/);
    if (!match) throw new Error(`bad duration in WEBHOOK_RETRY_SCHEDULE: ${part}`);
    return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  });
}

export interface TDeliveryPolicy {
  /** Delay before each attempt; its length is the maximum number of attempts. */
  scheduleMs: number[];
  timeoutMs: number;
  /** Whether http:// and private addresses are allowed (development and tests only). */
  allowPrivate: boolean;
}

export function defaultDeliveryPolicy(): TDeliveryPolicy {
  const e = env();
  return { scheduleMs: parseRetrySchedule(e.WEBHOOK_RETRY_SCHEDULE), timeoutMs: e.WEBHOOK_TIMEOUT_MS, allowPrivate: e.ALLOW_PRIVATE_WEBHOOK_TARGETS };
}

/** What an HTTP status (or null: network error or timeout) means for the delivery. */
export function classifyResponse(status: number | null, retryAfter: string | null, now = Date.now()): TAttemptOutcome {
  if (status === null) return { kind: "retry", retryAfterMs: null };
  if (status >= 200 && status < 300) return { kind: "delivered" };
  if (status === 410) return { kind: "gone" };
  if (status === 408 || status === 429 || status >= 500) return { kind: "retry", retryAfterMs: parseRetryAfter(retryAfter, now) };
  return { kind: "failed" };
}

export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Math.min(Number(trimmed) * 1000, MAX_RETRY_AFTER_MS);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return null;
  return Math.min(Math.max(0, date - now), MAX_RETRY_AFTER_MS);
}

/**
 * When the next attempt is due after `attemptsMade` attempts of this round failed retryably, or
 * null when the budget is spent (DEAD).
 */
export function nextAttemptDelayMs(policy: TDeliveryPolicy, attemptsMade: number, retryAfterMs: number | null, random = Math.random): number | null {
  if (attemptsMade >= policy.scheduleMs.length) return null;
  const base = policy.scheduleMs[attemptsMade]!;
  const jittered = base + Math.floor(base * 0.1 * random());
  return Math.max(jittered, retryAfterMs ?? 0);
}
