import { randomUUID } from "node:crypto";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { principalCache } from "@/server/auth/principal-cache";
import { db } from "@/server/db/client";
import { stopQueue } from "@/server/jobs/queue";
import { verifyAuditChain } from "@/server/lib/audit";
import { logger } from "@/server/lib/logger";
import { createTestEndpoint } from "@/test/alerts-kit";
import { createTestTenant, startRestServer, type TRestServer, type TTestTenant } from "@/test/factories";
import { claimLineInput } from "@/test/claim-csv";

/**
 * HIPAA technical safeguards (45 CFR 164.312) and transport hygiene, checked over real HTTP
 *: unique user identity in audit rows, audit of every PHI read, integrity (hash chain,
 * CHECK constraints), credentials at rest, no PHI in logs, security headers / CORS, and no stack
 * traces in a forced 500. Automatic logoff: kernel.test.ts ("idle timeout") and e2e/viewer.spec.ts.
 */

const MARK = `PHI${randomUUID().slice(0, 6).toUpperCase()}`;
const PATIENT_ACCOUNT = `${MARK}-PATIENT-0042`;
const SUBMITTER_CLAIM_ID = `${MARK}-CLAIM-7`;
const EMAIL_IN_BODY = `${MARK.toLowerCase()}.patient@example.test`;

let server: TRestServer;
let tenant: TTestTenant;
const logLines: string[] = [];
let restoreLog: () => void;

async function rest(path: string, init: RequestInit & { key?: string } = {}) {
  const headers = new Headers(init.headers);
  headers.set("authorization", `Bearer ${init.key ?? tenant.keys.ANALYST.key}`);
  if (init.body) headers.set("content-type", "application/json");
  return fetch(`${server.baseUrl}${path}`, { ...init, headers });
}

beforeAll(async () => {
  // The real logger's own stream (pino writes serialized lines to it): every line it emits.
  const stream = (logger as unknown as Record<symbol, { write: (line: string) => unknown }>)[pino.symbols.streamSym]!;
  const write = stream.write.bind(stream);
  stream.write = (line: string) => {
    logLines.push(line);
    return write(line);
  };
  restoreLog = () => {
    stream.write = write;
  };
  server = await startRestServer();
  tenant = await createTestTenant();

  // A realistic run of requests carrying PHI in their bodies and query strings.
  const line = claimLineInput({
    submitterClaimId: SUBMITTER_CLAIM_ID,
    payerName: "Safeguard Mutual",
    patientAccount: PATIENT_ACCOUNT,
    payerClaimNumber: `${MARK}-PCN`,
  });
  const ingest = await rest("/ingest/claims", { method: "POST", body: JSON.stringify({ lines: [line] }), headers: { "idempotency-key": randomUUID() } });
  expect(ingest.status).toBe(200);
  // A rejected batch whose bad row carries PHI and an e-mail address in free text.
  const bad = await rest("/ingest/claims", {
    method: "POST",
    body: JSON.stringify({ lines: [{ ...line, submitterClaimId: `${SUBMITTER_CLAIM_ID}-B`, cptCode: EMAIL_IN_BODY, decidedAt: "2026-08-01" }] }),
    headers: { "idempotency-key": randomUUID() },
  });
  expect(bad.status).toBe(400);
  const list = await rest(`/claims?submitterClaimId=${encodeURIComponent(SUBMITTER_CLAIM_ID)}&search=${encodeURIComponent(EMAIL_IN_BODY)}`);
  expect(list.status).toBe(200);
  const all = (await (await rest(`/claims?submitterClaimId=${encodeURIComponent(SUBMITTER_CLAIM_ID)}`)).json()) as { items: { id: string }[] };
  expect(all.items).toHaveLength(1);
  expect((await rest(`/claims/${all.items[0]!.id}`)).status).toBe(200);
  // A malformed body that includes PHI: the parse error must not echo it into the logs.
  await rest("/ingest/claims", { method: "POST", body: `{"lines":[{"patientAccount":"${PATIENT_ACCOUNT}",,}]}`, headers: { "idempotency-key": randomUUID() } });
  await rest("/alert-rules", { method: "POST", key: tenant.keys.ADMIN.key, body: JSON.stringify({ name: `rule ${MARK}`, emailRecipients: [EMAIL_IN_BODY] }) });
}, 120_000);

afterAll(async () => {
  restoreLog?.();
  await server?.close();
  await stopQueue({ graceful: false });
});

describe("HIPAA 164.312(b) audit controls and (a)(2)(i) unique user identification", () => {
  it("every audit row of the tenant names a unique actor; authenticated actions carry the user or key id", async () => {
    const rows = await db().auditEvent.findMany({
      where: { customerId: tenant.customer.id },
      select: { actorLabel: true, actorUserId: true, actorApiKeyId: true, action: true },
    });
    expect(rows.length).toBeGreaterThan(3);
    expect(rows.filter((row) => row.actorLabel.trim() === "")).toEqual([]);
    expect(rows.filter((row) => !row.actorUserId && !row.actorApiKeyId).map((row) => row.action)).toEqual([]);
  });

  it("every PHI read is audited: the claim list and the claim detail", async () => {
    const actions = (
      await db().auditEvent.findMany({ where: { customerId: tenant.customer.id, actorApiKeyId: tenant.keys.ANALYST.id }, select: { action: true } })
    ).map((row) => row.action);
    expect(actions.filter((action) => action === "claim.list").length).toBeGreaterThanOrEqual(2);
    expect(actions).toContain("claim.read");
  });
});

describe("HIPAA 164.312(c) integrity", () => {
  it("the tenant's audit hash chain verifies", async () => {
    const result = await verifyAuditChain(db(), tenant.customer.id);
    expect(result.problems).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.checked).toBeGreaterThan(3);
  });

  it("the database rejects negative amounts and a decision before submission (CHECK constraints)", async () => {
    const claim = await db().claimLine.findFirstOrThrow({ where: { customerId: tenant.customer.id }, select: { id: true } });
    await expect(db().$executeRaw`UPDATE claim_lines SET billed_amount = -1 WHERE id = ${claim.id}::uuid`).rejects.toThrow(/claim_lines_amounts_nonnegative/);
    await expect(db().$executeRaw`UPDATE claim_lines SET decided_at = submitted_at - 1 WHERE id = ${claim.id}::uuid`).rejects.toThrow(
      /claim_lines_decision_after_submission/,
    );
    await expect(db().$executeRaw`UPDATE claim_lines SET paid_amount = billed_amount + 1 WHERE id = ${claim.id}::uuid`).rejects.toThrow(
      /claim_lines_paid_within_billed/,
    );
  });
});

describe("HIPAA 164.312(a)(2)(iv) encryption and (d) authentication: credentials at rest", () => {
  it("API keys are stored only as a hash; webhook secrets only encrypted", async () => {
    const { rows } = {
      rows: await db().$queryRaw<{ row: string }[]>`SELECT row_to_json(k)::text AS row FROM api_keys k WHERE customer_id = ${tenant.customer.id}::uuid`,
    };
    expect(rows).toHaveLength(3);
    for (const key of Object.values(tenant.keys)) {
      expect(rows.some((row) => row.row.includes(key.key))).toBe(false);
      expect(rows.some((row) => row.row.includes(key.key.slice(key.prefix.length + 4)))).toBe(false);
    }
    const endpoint = await createTestEndpoint(tenant.customer.id, "https://93.184.216.34/safeguards");
    const [stored] = await db().$queryRaw<{ row: string }[]>`SELECT row_to_json(e)::text AS row FROM webhook_endpoints e WHERE id = ${endpoint.id}::uuid`;
    expect(endpoint.secret).toMatch(/^whsec_/);
    expect(stored!.row).not.toContain(endpoint.secret);
    expect(stored!.row).not.toContain(endpoint.secret.slice("whsec_".length));
  });

  it("patient account numbers are kept only as a keyed hash", async () => {
    const [row] = await db().$queryRaw<
      { row: string }[]
    >`SELECT row_to_json(c)::text AS row FROM claim_lines c WHERE customer_id = ${tenant.customer.id}::uuid`;
    expect(row!.row).not.toContain(PATIENT_ACCOUNT);
    expect(row!.row).toMatch(/"patient_account_hash":"[0-9a-f]{32,}"/);
  });
});

describe("no PHI in logs", () => {
  it("the logs of the run carry no patient account, submitter claim id or e-mail from the bodies", () => {
    const text = logLines.join("");
    expect(logLines.length).toBeGreaterThan(5);
    for (const phi of [PATIENT_ACCOUNT, SUBMITTER_CLAIM_ID, EMAIL_IN_BODY, `${MARK}-PCN`]) expect(text, phi).not.toContain(phi);
    // Query strings are not logged either (they may carry a claim id or a search for a person).
    expect(text).not.toContain("submitterClaimId=");
  });
});

describe("transmission hygiene: CORS and errors", () => {
  it("a foreign origin gets no CORS grant, on a simple request or a preflight", async () => {
    const simple = await rest("/customers/me", { headers: { origin: "https://evil.example" } });
    expect(simple.headers.get("access-control-allow-origin")).toBeNull();
    const preflight = await fetch(`${server.baseUrl}/customers/me`, {
      method: "OPTIONS",
      headers: { origin: "https://evil.example", "access-control-request-method": "GET", "access-control-request-headers": "authorization" },
    });
    expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
    expect(preflight.headers.get("access-control-allow-credentials")).toBeNull();
  });

  it("a forced 500 answers a problem without stack, SQL or internals", async () => {
    // The API-key lookup fails the way a broken database would, with internals in the message
    // (the key's earlier lookups are cached: empty the cache so this one reaches the database).
    principalCache().clear();
    const spy = vi
      .spyOn(db().apiKey, "findUnique")
      .mockRejectedValueOnce(
        new Error('relation "api_keys" does not exist at Object.<anonymous> (/work/main/src/server/api/context.ts:62:3) SELECT key_hash FROM api_keys'),
      );
    const response = await rest("/customers/me");
    spy.mockRestore();
    expect(response.status).toBe(500);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ status: 500, code: "INTERNAL", requestId: response.headers.get("x-request-id") });
    const text = JSON.stringify(body);
    for (const internal of ["context.ts", "api_keys", "SELECT", "stack", " at "]) expect(text, internal).not.toContain(internal);
  });
});
