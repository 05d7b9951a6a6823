import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { db } from "@/server/db/client";
import { GENESIS_HASH, canonicalJson, computeAuditHash } from "./audit-chain";
import { recordAudit, verifyAuditChain, type TAuditEntry } from "./audit";
import { asOwnerWithoutAuditTrigger } from "@/test/audit-tamper";

async function createCustomer(): Promise<string> {
  const slug = `audit-${randomUUID().slice(0, 8)}`;
  const customer = await db().customer.create({ data: { slug, name: `Audit test ${slug}` }, select: { id: true } });
  return customer.id;
}

function entry(customerId: string | null, action: string, details: Record<string, unknown> = {}): TAuditEntry {
  return {
    customerId,
    actor: { label: "test@example.test" },
    action,
    resourceType: "claim",
    resourceId: randomUUID(),
    requestId: randomUUID(),
    ip: "203.0.113.7",
    details,
  };
}

async function buildChain(customerId: string, length: number): Promise<void> {
  for (let i = 1; i <= length; i += 1) await recordAudit(db(), entry(customerId, `test.action.${i}`, { n: i }));
}

// Tampered chains are removed afterwards so a whole-database verify elsewhere sees only sound chains.
const tampered: string[] = [];
afterAll(async () => {
  if (tampered.length === 0) return;
  await asOwnerWithoutAuditTrigger([["DELETE FROM audit_events WHERE customer_id = ANY($1::uuid[])", [tampered]]]);
});

async function tamperedCustomer(length: number): Promise<string> {
  const customerId = await createCustomer();
  tampered.push(customerId);
  await buildChain(customerId, length);
  return customerId;
}

describe("audit chain format", () => {
  it("serialises with stable key order at every depth", () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[2,{"y":2,"z":1}]},"b":1}');
  });

  it("hashes the same row the same way whatever the key order of details", () => {
    const base = {
      customerId: null,
      seq: 1n,
      occurredAt: new Date("2026-01-02T03:04:05.678Z"),
      actorUserId: null,
      actorApiKeyId: null,
      actorLabel: "x",
      action: "a",
      resourceType: "r",
      resourceId: null,
      outcome: "SUCCESS",
      requestId: null,
      ip: null,
      prevHash: GENESIS_HASH,
    };
    const one = computeAuditHash({ ...base, details: { a: 1, b: 2 } });
    expect(computeAuditHash({ ...base, details: { b: 2, a: 1 } })).toBe(one);
    expect(one).toMatch(/^[0-9a-f]{64}$/);
    expect(computeAuditHash({ ...base, details: { a: 1, b: 3 } })).not.toBe(one);
  });
});

describe("recordAudit", () => {
  it("builds a chain with consecutive seqs linked by hash", async () => {
    const customerId = await createCustomer();
    const first = await recordAudit(db(), entry(customerId, "claims.list", { page: 1 }));
    const second = await recordAudit(db(), { ...entry(customerId, "claims.get"), outcome: "FAILURE" });
    const third = await recordAudit(db(), entry(customerId, "claims.export", { rows: 3, when: new Date(0) }));
    expect([first.seq, second.seq, third.seq]).toEqual([1, 2, 3]);

    const rows = await db().auditEvent.findMany({ where: { customerId }, orderBy: { seq: "asc" } });
    expect(rows.map((r) => r.seq)).toEqual([1n, 2n, 3n]);
    expect(rows[0]?.prevHash).toBe(GENESIS_HASH);
    expect(rows[1]?.prevHash).toBe(first.hash);
    expect(rows[2]?.prevHash).toBe(second.hash);
    expect(rows[1]?.outcome).toBe("FAILURE");
    expect(rows[2]?.occurredAt.getTime()).toBe(third.occurredAt.getTime());
    expect(await verifyAuditChain(db(), customerId)).toEqual({ ok: true, checked: 3, problems: [] });
  });

  it("serialises 20 concurrent appends on one tenant into seqs 1..20", async () => {
    const customerId = await createCustomer();
    const records = await Promise.all(Array.from({ length: 20 }, (_, i) => recordAudit(db(), entry(customerId, `concurrent.${i}`, { i }))));
    expect(records.map((r) => r.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(await verifyAuditChain(db(), customerId, { batchSize: 7 })).toEqual({ ok: true, checked: 20, problems: [] });
  });

  it("writes inside the caller's transaction and rolls back with it", async () => {
    const customerId = await createCustomer();
    await recordAudit(db(), entry(customerId, "kept.1"));
    await expect(
      db().$transaction(async (tx) => {
        await recordAudit(tx, entry(customerId, "rolled.back"));
        throw new Error("abort");
      }),
    ).rejects.toThrow("abort");
    await db().$transaction((tx) => recordAudit(tx, entry(customerId, "kept.2")));
    const rows = await db().auditEvent.findMany({ where: { customerId }, orderBy: { seq: "asc" } });
    expect(rows.map((r) => [r.seq, r.action])).toEqual([
      [1n, "kept.1"],
      [2n, "kept.2"],
    ]);
    expect((await verifyAuditChain(db(), customerId)).ok).toBe(true);
  });

  it("keeps the platform chain (customerId null) too", async () => {
    const before = await db().auditEvent.findFirst({ where: { customerId: null }, orderBy: { seq: "desc" } });
    const a = await recordAudit(db(), { ...entry(null, "superuser.switch_tenant"), actor: { label: "system:test" } });
    const b = await recordAudit(db(), entry(null, "superuser.switch_tenant"));
    expect(a.customerId).toBeNull();
    expect(b.seq).toBeGreaterThan(a.seq);
    expect(a.seq).toBeGreaterThan(Number(before?.seq ?? 0n));
    const result = await verifyAuditChain(db(), null);
    expect(result.problems).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.checked).toBeGreaterThanOrEqual(2);
  });

  it("refuses UPDATE, DELETE and TRUNCATE: the application's login has no such grant, and the trigger holds even for the owner", async () => {
    const customerId = await createCustomer();
    await buildChain(customerId, 2);
    // The application (platform login): refused before the trigger is even reached.
    await expect(db().$executeRaw`UPDATE audit_events SET action = 'forged' WHERE customer_id = ${customerId}::uuid`).rejects.toThrow(/permission denied/);
    await expect(db().$executeRaw`DELETE FROM audit_events WHERE customer_id = ${customerId}::uuid`).rejects.toThrow(/permission denied/);
    await expect(db().$executeRawUnsafe("TRUNCATE audit_events")).rejects.toThrow(/permission denied/);
    // The owner (migrations): the append-only trigger refuses, in a transaction rolled back regardless.
    const owner = new pg.Client({ connectionString: process.env.MIGRATION_DATABASE_URL });
    await owner.connect();
    try {
      for (const sql of [
        "UPDATE audit_events SET action = 'forged' WHERE customer_id = $1",
        "DELETE FROM audit_events WHERE customer_id = $1",
        "TRUNCATE audit_events",
      ]) {
        await owner.query("BEGIN");
        await expect(owner.query(sql, sql.includes("$1") ? [customerId] : []), sql).rejects.toThrow(/append-only/);
        await owner.query("ROLLBACK");
      }
    } finally {
      await owner.end();
    }
    const rows = await db().auditEvent.findMany({ where: { customerId } });
    expect(rows.map((r) => r.action).sort()).toEqual(["test.action.1", "test.action.2"]);
  });
});

describe("verifyAuditChain", () => {
  it("finds an edited row", async () => {
    const customerId = await tamperedCustomer(5);
    await asOwnerWithoutAuditTrigger([["UPDATE audit_events SET action = 'forged' WHERE customer_id = $1 AND seq = 3", [customerId]]]);
    const result = await verifyAuditChain(db(), customerId);
    expect(result.ok).toBe(false);
    expect(result.checked).toBe(5);
    expect(result.problems).toEqual([expect.objectContaining({ customerId, seq: 3, kind: "hash_mismatch" })]);
  });

  it("finds a deleted middle row", async () => {
    const customerId = await tamperedCustomer(5);
    await asOwnerWithoutAuditTrigger([["DELETE FROM audit_events WHERE customer_id = $1 AND seq = 3", [customerId]]]);
    const result = await verifyAuditChain(db(), customerId, { batchSize: 2 });
    expect(result.ok).toBe(false);
    expect(result.checked).toBe(4);
    expect(result.problems).toEqual([expect.objectContaining({ customerId, seq: 4, kind: "gap" })]);
  });

  it("finds a deleted first row", async () => {
    const customerId = await tamperedCustomer(3);
    await asOwnerWithoutAuditTrigger([["DELETE FROM audit_events WHERE customer_id = $1 AND seq = 1", [customerId]]]);
    const result = await verifyAuditChain(db(), customerId);
    expect(result.problems).toEqual([expect.objectContaining({ seq: 2, kind: "gap" })]);
  });

  it("finds two rows whose seq values were swapped", async () => {
    const customerId = await tamperedCustomer(5);
    // The unique (customer_id, seq) key is checked per row, hence the detour through seq 1000.
    await asOwnerWithoutAuditTrigger([
      ["UPDATE audit_events SET seq = 1000 WHERE customer_id = $1 AND seq = 2", [customerId]],
      ["UPDATE audit_events SET seq = 2 WHERE customer_id = $1 AND seq = 3", [customerId]],
      ["UPDATE audit_events SET seq = 3 WHERE customer_id = $1 AND seq = 1000", [customerId]],
    ]);
    const result = await verifyAuditChain(db(), customerId);
    expect(result.ok).toBe(false);
    expect(result.checked).toBe(5);
    const kinds = result.problems.map((p) => `${p.seq}:${p.kind}`).sort();
    expect(kinds).toEqual(["2:hash_mismatch", "2:reordered", "3:hash_mismatch", "3:reordered", "4:reordered"]);
  });

  it("finds a forged prev_hash that links nowhere", async () => {
    const customerId = await tamperedCustomer(3);
    await asOwnerWithoutAuditTrigger([["UPDATE audit_events SET prev_hash = $2 WHERE customer_id = $1 AND seq = 2", [customerId, "f".repeat(64)]]]);
    const kinds = (await verifyAuditChain(db(), customerId)).problems.map((p) => `${p.seq}:${p.kind}`).sort();
    expect(kinds).toEqual(["2:broken_link", "2:hash_mismatch"]);
  });

  it("verifies every chain with 'all'", async () => {
    const good = await createCustomer();
    await buildChain(good, 3);
    const bad = await tamperedCustomer(3);
    await asOwnerWithoutAuditTrigger([["UPDATE audit_events SET ip = '198.51.100.1' WHERE customer_id = $1 AND seq = 1", [bad]]]);
    const result = await verifyAuditChain(db(), "all", { batchSize: 2 });
    expect(result.ok).toBe(false);
    expect(result.checked).toBeGreaterThanOrEqual(6);
    expect(result.problems.filter((p) => p.customerId === good)).toEqual([]);
    expect(result.problems.filter((p) => p.customerId === bad)).toEqual([expect.objectContaining({ seq: 1, kind: "hash_mismatch" })]);
  });
});
