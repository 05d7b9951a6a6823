/**
 * Test fixture for rate-limit.test.ts, run as a separate Node process (tsx): consumes one key
 * `count` times, all at once, and prints the results as one JSON line. Two of these against one
 * key show that the limit holds across processes, not just within one.
 *
 *   tsx src/server/lib/rate-limit.fixture.ts <kind> <key> <count>
 */
import { RATE_LIMIT_KINDS, closeRateLimitStore, consumeRateLimit, type TRateLimitKind } from "./rate-limit";

const [kindArg, key, countArg] = process.argv.slice(2);
const kind = RATE_LIMIT_KINDS.find((k) => k === kindArg);
const count = Number(countArg);
if (!kind || !key || !Number.isInteger(count) || count < 1) {
  console.error("usage: rate-limit.fixture.ts <kind> <key> <count>");
  process.exit(2);
}

async function main(kind: TRateLimitKind, key: string): Promise<void> {
  try {
    const results = await Promise.all(Array.from({ length: count }, () => consumeRateLimit(kind, key)));
    process.stdout.write(`${JSON.stringify(results)}\n`);
  } finally {
    await closeRateLimitStore();
  }
}

main(kind, key).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
