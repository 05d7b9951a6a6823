import pino, { type DestinationStream, type LoggerOptions } from "pino";

/**
 * Structured JSON logs. Never log PHI: log ids, codes and counts, not claim contents, and never
 * request bodies. The redact list is a safety net for fields that must never appear, and errors
 * pass through scrubError, because a database error carries the values it failed on.
 */

/**
 * Where PostgreSQL (and the pg driver, and Prisma's driver adapter which copies them) put row
 * values: `detail` ("Failing row contains (…)", "Key (…)=(…) already exists."), `where` (the
 * PL/pgSQL context, with the statement's values) and a query's `parameters`.
 */
const VALUE_KEYS = new Set(["detail", "where", "parameters", "params", "internalQuery"]);
const SCRUBBED = "[scrubbed: may hold row values]";

/** The same values when they are embedded in a message or stack (a cause chain flattens them in). */
function scrubText(text: string): string {
  // Everything after the opening parenthesis up to the end of the line: values may hold ")".
  return text.replace(/Failing row contains \([^\n`]*/g, "Failing row contains ([scrubbed])").replace(/Key \(([^)]*)\)=\([^\n`]*/g, "Key ($1)=([scrubbed])");
}

function scrubValue(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (typeof value === "string") return scrubText(value);
  if (value === null || typeof value !== "object") return value;
  if (depth > 8 || seen.has(value)) return "[…]";
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => scrubValue(item, depth + 1, seen));
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const inner = (value as Record<string, unknown>)[key];
    out[key] = VALUE_KEYS.has(key) && inner !== undefined && inner !== null ? SCRUBBED : scrubValue(inner, depth + 1, seen);
  }
  // Error objects keep their text in non-enumerable own properties.
  if (value instanceof Error) {
    out.type ??= value.name;
    out.message = scrubText(value.message);
    if (value.stack) out.stack = scrubText(value.stack);
    if (value.cause !== undefined) out.cause = scrubValue(value.cause, depth + 1, seen);
  }
  return out;
}

/** pino's error serializer, then every row value a database error may carry removed. */
export function scrubError(error: unknown): unknown {
  const serialized = pino.stdSerializers.err(error as Error) as unknown;
  return scrubValue(serialized, 0, new WeakSet());
}

const options: LoggerOptions = {
  level: process.env.LOG_LEVEL ?? "info",
  base: { service: "driftline" },
  redact: {
    paths: ["password", "*.password", "authorization", "*.authorization", "cookie", "*.cookie", "key", "*.secret", "patientAccount", "*.patientAccount"],
    censor: "[redacted]",
  },
  serializers: { err: scrubError, error: scrubError, cause: scrubError },
};

/** A logger with the application's options; `destination` only in tests that read the lines. */
export function createLogger(destination?: DestinationStream) {
  return destination ? pino(options, destination) : pino(options);
}

export const logger = createLogger();
