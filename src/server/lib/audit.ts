import type pg from "pg";
import { Prisma } from "@/generated/prisma/client";
import type { TDb, TTx } from "@/server/db/client";
import { GENESIS_HASH, computeAuditHash, normaliseDetails, truncateToMillis, type TAuditOutcome } from "./audit-chain";

/**
 * The audit log (PRODUCT.md §8): append-only, one hash chain per tenant, customer_id NULL being
 * the platform chain. The table's triggers refuse UPDATE, DELETE and TRUNCATE; this module only
 * ever inserts.
 *
 * NO PHI IN AN AUDIT ROW. `details`, `resourceId` and the labels are kept forever and shown to
 * tenant admins, so callers pass ids and counts (a claim id, "rows: 120", a filter's field
 * names), never claim contents, patient identifiers, names, dates of service or free text a user
 * typed. The log says *that* someone read claim X, not what claim X says.
 */

export interface TAuditActor {
  userId?: string | null;
  apiKeyId?: string | null;
  /** Human-readable and stable: an email, "api-key:<prefix>", "system:worker". */
  label: string;
}

export interface TAuditEntry {
  customerId: string | null;
  actor: TAuditActor;
  action: string;
  resourceType: string;
  resourceId?: string | null;
  outcome?: TAuditOutcome;
  requestId?: string | null;
  ip?: string | null;
  /** Ids and counts only, never PHI (see above). Must be a JSON object. */
  details?: Record<string, unknown>;
}

export interface TAuditRecord {
  id: string;
  customerId: string | null;
  seq: number;
  occurredAt: Date;
  hash: string;
}

/**
 * Prisma 7's transaction client keeps `$transaction` (nested transactions via savepoints) but
 * hides `$connect`/`$disconnect`, so those tell the process's client from a transaction.
 */
function isPlainClient(client: TTx | TDb): client is TDb {
  return "$connect" in client;
}

/**
 * Appends one event to its tenant's chain. Pass the caller's transaction when the audited change
 * happens in one, so the event commits (or rolls back) with it; given the plain client, a short
 * transaction of its own is opened. Under READ COMMITTED (the default) the head is read after the
 * lock is granted, so it is current; in a REPEATABLE READ or SERIALIZABLE transaction whose
 * snapshot predates the lock, a concurrent append surfaces as a unique violation on
 * (customer_id, seq) instead of a forked chain: retry the transaction.
 */
export async function recordAudit(client: TTx | TDb, entry: TAuditEntry): Promise<TAuditRecord> {
  if (isPlainClient(client)) {
    return client.$transaction((tx) => appendInTransaction(tx, entry), { maxWait: 10_000, timeout: 15_000 });
  }
  return appendInTransaction(client, entry);
}

const CHAIN_LOCK_SQL = "SELECT pg_advisory_xact_lock(hashtextextended('audit:' || coalesce($1::uuid::text, 'platform'), 0))";

/** The next row of a chain whose head is `head` (read under the chain's lock). */
function nextRow(entry: TAuditEntry, head: { seq: bigint; hash: string } | null) {
  // Taken under the lock, so occurred_at never runs backwards along a chain (clock permitting).
  const occurredAt = truncateToMillis(new Date());
  const details = normaliseDetails(entry.details);
  const row = {
    customerId: entry.customerId,
    seq: (head?.seq ?? 0n) + 1n,
    occurredAt,
    actorUserId: entry.actor.userId ?? null,
    actorApiKeyId: entry.actor.apiKeyId ?? null,
    actorLabel: entry.actor.label,
    action: entry.action,
    resourceType: entry.resourceType,
    resourceId: entry.resourceId ?? null,
    outcome: entry.outcome ?? "SUCCESS",
    requestId: entry.requestId ?? null,
    ip: entry.ip ?? null,
    details,
    prevHash: head?.hash ?? GENESIS_HASH,
  };
  return { row, details, hash: computeAuditHash(row) };
}

async function appendInTransaction(tx: TTx, entry: TAuditEntry): Promise<TAuditRecord> {
  const customerId = entry.customerId;
  // One writer per chain at a time, released at commit or rollback. The unique
  // (customer_id, seq) NULLS NOT DISTINCT constraint backs this up should a writer skip the lock.
  await tx.$executeRaw`
    SELECT pg_advisory_xact_lock(hashtextextended('audit:' || coalesce(${customerId}::uuid::text, 'platform'), 0))`;

  const head = await tx.auditEvent.findFirst({
    where: { customerId },
    orderBy: { seq: "desc" },
    select: { seq: true, hash: true },
  });
  const { row, details, hash } = nextRow(entry, head);
  const created = await tx.auditEvent.create({
    data: { ...row, details: details as Prisma.InputJsonObject, hash },
    select: { id: true, seq: true },
  });
  return { id: created.id, customerId, seq: Number(created.seq), occurredAt: row.occurredAt, hash };
}

/**
 * Appends one event inside a transaction already open on a plain `pg` connection (the bulk
 * upload writer's), so the event commits or rolls back with the change it records. Same lock,
 * head and hash as recordAudit. Take it last in the transaction: the chain's lock is held to commit.
 */
export async function recordAuditOnConnection(client: pg.ClientBase, entry: TAuditEntry): Promise<TAuditRecord> {
  const customerId = entry.customerId;
  await client.query(CHAIN_LOCK_SQL, [customerId]);
  // Ordered by the bigint column (the text alias `seq` would order "9" after "39").
  const heads = await client.query<{ seq: string; hash: string }>(
    "SELECT a.seq::text AS seq, a.hash FROM audit_events a WHERE a.customer_id IS NOT DISTINCT FROM $1::uuid ORDER BY a.seq DESC LIMIT 1",
    [customerId],
  );
  const head = heads.rows[0] ? { seq: BigInt(heads.rows[0].seq), hash: heads.rows[0].hash } : null;
  const { row, details, hash } = nextRow(entry, head);
  const created = await client.query<{ id: string }>(
    `INSERT INTO audit_events (customer_id, seq, occurred_at, actor_user_id, actor_api_key_id, actor_label, action, resource_type, resource_id,
                               outcome, request_id, ip, details, prev_hash, hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::jsonb, $14, $15) RETURNING id::text AS id`,
    [
      customerId,
      row.seq.toString(),
      row.occurredAt,
      row.actorUserId,
      row.actorApiKeyId,
      row.actorLabel,
      row.action,
      row.resourceType,
      row.resourceId,
      row.outcome,
      row.requestId,
      row.ip,
      JSON.stringify(details),
      row.prevHash,
      hash,
    ],
  );
  return { id: created.rows[0]!.id, customerId, seq: Number(row.seq), occurredAt: row.occurredAt, hash };
}

// ---------------------------------------------------------------------------------------------
// Verification
// ---------------------------------------------------------------------------------------------

export type TAuditProblemKind = "hash_mismatch" | "broken_link" | "gap" | "reordered";

export interface TAuditProblem {
  customerId: string | null;
  seq: number;
  kind: TAuditProblemKind;
  message: string;
}

export interface TAuditVerifyResult {
  ok: boolean;
  checked: number;
  problems: TAuditProblem[];
}

export interface TAuditVerifyOptions {
  /** Rows fetched per query (keyset pagination on seq). */
  batchSize?: number;
  /** Stop walking a chain once this many problems were found in it. */
  maxProblemsPerChain?: number;
}

const rowSelect = {
  customerId: true,
  seq: true,
  occurredAt: true,
  actorUserId: true,
  actorApiKeyId: true,
  actorLabel: true,
  action: true,
  resourceType: true,
  resourceId: true,
  outcome: true,
  requestId: true,
  ip: true,
  details: true,
  prevHash: true,
  hash: true,
} satisfies Prisma.AuditEventSelect;

/**
 * Walks one chain (a customer id, null for the platform), or every chain ("all"), in seq order,
 * a batch at a time. Each row's hash is recomputed (an edited row), its seq must follow the
 * previous one (a deleted row leaves a gap), and its prev_hash must equal the previous row's
 * stored hash; a prev_hash that names some other row of the chain means rows were reordered.
 * Deleting the newest rows leaves no trace inside the chain; anchoring head hashes elsewhere is
 * what catches that.
 */
export async function verifyAuditChain(client: TTx | TDb, customerId: string | null | "all", options: TAuditVerifyOptions = {}): Promise<TAuditVerifyResult> {
  const result: TAuditVerifyResult = { ok: true, checked: 0, problems: [] };
  if (customerId !== "all") {
    await verifyOneChain(client, customerId, options, result);
  } else {
    await verifyOneChain(client, null, options, result);
    const batchSize = options.batchSize ?? 500;
    let after: string | undefined;
    for (;;) {
      const customers = await client.customer.findMany({
        where: { ...(after ? { id: { gt: after } } : {}), auditEvents: { some: {} } },
        orderBy: { id: "asc" },
        take: batchSize,
        select: { id: true },
      });
      for (const customer of customers) await verifyOneChain(client, customer.id, options, result);
      if (customers.length < batchSize) break;
      after = customers.at(-1)?.id;
    }
  }
  result.ok = result.problems.length === 0;
  return result;
}

async function verifyOneChain(client: TTx | TDb, customerId: string | null, options: TAuditVerifyOptions, result: TAuditVerifyResult): Promise<void> {
  const batchSize = options.batchSize ?? 500;
  const maxProblems = options.maxProblemsPerChain ?? 1000;
  let found = 0;
  const report = (seq: bigint, kind: TAuditProblemKind, message: string) => {
    result.problems.push({ customerId, seq: Number(seq), kind, message });
    found += 1;
  };

  let expectedSeq = 1n;
  let previousHash = GENESIS_HASH;
  let lastSeq = 0n;
  for (;;) {
    const rows = await client.auditEvent.findMany({
      where: { customerId, seq: { gt: lastSeq } },
      orderBy: { seq: "asc" },
      take: batchSize,
      select: rowSelect,
    });
    for (const row of rows) {
      result.checked += 1;
      if (computeAuditHash(row) !== row.hash) {
        report(row.seq, "hash_mismatch", `seq ${row.seq}: stored hash does not match the row's contents`);
      }
      if (row.seq !== expectedSeq) {
        // A deleted row; the prev_hash mismatch that follows from it is the same problem.
        const missing = row.seq - 1n === expectedSeq ? `${expectedSeq}` : `${expectedSeq}..${row.seq - 1n}`;
        report(row.seq, "gap", `seq ${missing} missing before seq ${row.seq}`);
      } else if (row.prevHash !== previousHash) {
        const linked = await client.auditEvent.findFirst({
          where: { customerId, hash: row.prevHash, seq: { not: row.seq } },
          select: { seq: true },
        });
        if (linked) {
          report(row.seq, "reordered", `seq ${row.seq} links to seq ${linked.seq}, not to seq ${row.seq - 1n}`);
        } else {
          report(row.seq, "broken_link", `seq ${row.seq}: prev_hash does not match the previous row's hash`);
        }
      }
      expectedSeq = row.seq + 1n;
      previousHash = row.hash;
      lastSeq = row.seq;
      if (found >= maxProblems) return;
    }
    if (rows.length < batchSize) return;
  }
}
