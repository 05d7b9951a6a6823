import { createHash } from "node:crypto";

/**
 * The pure half of the audit log: what a row's hash covers and how it is computed. Kept apart
 * from the database code so the verify command and the writer cannot drift apart, and so the
 * format can be tested without PostgreSQL.
 *
 * The hash is SHA-256 (hex) over a canonical JSON serialisation: object keys sorted at every
 * depth, no whitespace, `undefined` members dropped. `seq` is hashed as a decimal string so a
 * bigint never meets JSON.stringify. `occurredAt` is the ISO-8601 form with milliseconds, which
 * is why the writer truncates timestamps to whole milliseconds: timestamptz keeps microseconds,
 * and the value read back must hash to exactly what was written.
 *
 * There is no secret in the hash. The chain makes casual or partial tampering (an edited row, a
 * deleted row, swapped rows) detectable; someone who can rewrite every row from the tampered one
 * to the head can forge a consistent chain. Anchoring head hashes elsewhere closes that gap.
 */

export const GENESIS_HASH = "0".repeat(64);

export type TAuditOutcome = "SUCCESS" | "FAILURE";

/** Exactly the fields a row's hash covers, in the shape they are stored. */
export interface TAuditHashInput {
  customerId: string | null;
  seq: bigint;
  occurredAt: Date;
  actorUserId: string | null;
  actorApiKeyId: string | null;
  actorLabel: string;
  action: string;
  resourceType: string;
  resourceId: string | null;
  outcome: TAuditOutcome | string;
  requestId: string | null;
  ip: string | null;
  details: unknown;
  prevHash: string;
}

/** JSON with object keys sorted at every depth; the same value always gives the same text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  // Honour toJSON (Dates and the like) the way JSON.stringify would.
  const withToJson = value as { toJSON?: () => unknown };
  if (typeof withToJson.toJSON === "function") return sortKeys(withToJson.toJSON());
  if (Array.isArray(value)) return value.map((item) => (item === undefined ? null : sortKeys(item)));
  const record = value as Record<string, unknown>;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(record).sort()) {
    if (record[key] !== undefined) sorted[key] = sortKeys(record[key]);
  }
  return sorted;
}

/**
 * The details object as jsonb will give it back: JSON round-tripped (dates become strings,
 * undefined members vanish, non-finite numbers become null). The writer stores and hashes this
 * normalised value, so the verifier hashes the same thing.
 */
export function normaliseDetails(details: Record<string, unknown> | undefined): Record<string, unknown> {
  if (details === undefined) return {};
  const text = JSON.stringify(details);
  const parsed: unknown = text === undefined ? {} : JSON.parse(text);
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new TypeError("audit details must be a plain JSON object");
  }
  return parsed as Record<string, unknown>;
}

/** Truncates to whole milliseconds, the precision that survives the round trip exactly. */
export function truncateToMillis(date: Date): Date {
  return new Date(Math.trunc(date.getTime()));
}

/** SHA-256 hex over the canonical serialisation of one row's hashed fields. */
export function computeAuditHash(input: TAuditHashInput): string {
  const payload = {
    customerId: input.customerId,
    seq: input.seq.toString(),
    occurredAt: input.occurredAt.toISOString(),
    actorUserId: input.actorUserId,
    actorApiKeyId: input.actorApiKeyId,
    actorLabel: input.actorLabel,
    action: input.action,
    resourceType: input.resourceType,
    resourceId: input.resourceId,
    outcome: input.outcome,
    requestId: input.requestId,
    ip: input.ip,
    details: input.details ?? {},
    prevHash: input.prevHash,
  };
  return createHash("sha256").update(canonicalJson(payload), "utf8").digest("hex");
}
