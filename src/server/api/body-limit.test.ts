import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/server/db/client";
import { handleRest, handleTrpc, JSON_BODY_LIMIT } from "@/server/api/http";
import { createTestTenant, startRestServer, type TRestServer, type TTestTenant } from "@/test/factories";

/**
 * Both doors cap JSON bodies at 1 MiB while the body streams in, before anything parses it: a
 * 20 MB body to the tRPC door's `ingest.claims` (which the web app's client would send) is a 413
 * just as it is on REST, with or without Content-Length, batched or not; and a handler that is fed
 * an endless body reads about the limit and answers, instead of reading the stream to its end.
 */

let server: TRestServer;
let tenant: TTestTenant;

beforeAll(async () => {
  server = await startRestServer();
  tenant = await createTestTenant();
});

afterAll(async () => {
  await server?.close();
});

const HUGE = 20 * 1024 * 1024;

function hugeJson(wrap: (value: unknown) => unknown): string {
  const marker = "@@PAD@@";
  return JSON.stringify(wrap({ lines: [], pad: marker })).replace(marker, "A".repeat(HUGE));
}

/** The same bytes as a stream, so fetch sends them chunked, without Content-Length. */
function chunked(text: string): ReadableStream<Uint8Array> {
  const bytes = Buffer.from(text);
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(new Uint8Array(bytes.subarray(offset, offset + 256 * 1024)));
      offset += 256 * 1024;
    },
  });
}

function headers(extra: Record<string, string> = {}): Headers {
  const all = new Headers(tenant.keys.ANALYST.headers);
  all.set("content-type", "application/json");
  all.set("idempotency-key", `limit-${randomUUID()}`);
  for (const [name, value] of Object.entries(extra)) all.set(name, value);
  return all;
}

async function uploadsOfTenant(): Promise<number> {
  return db().upload.count({ where: { customerId: tenant.customer.id } });
}

function expectTrpc413(status: number, text: string) {
  expect(status, text.slice(0, 300)).toBe(413);
  const parsed = JSON.parse(text) as
    { error?: { json: { data: { code: string; httpStatus: number } } } } | { error: { json: { data: { code: string; httpStatus: number } } } }[];
  const error = Array.isArray(parsed) ? parsed[0]!.error! : parsed.error!;
  expect(error.json.data.code).toBe("PAYLOAD_TOO_LARGE");
  expect(error.json.data.httpStatus).toBe(413);
}

describe("JSON body limit on both doors", () => {
  it("tRPC door: a 20 MB body to ingest.claims is a 413 (declared length, chunked, batched), nothing stored", async () => {
    const before = await uploadsOfTenant();
    const single = hugeJson((input) => ({ json: input }));
    const url = `${server.origin}/api/trpc/ingest.claims`;
    const declared = await fetch(url, { method: "POST", headers: headers(), body: single });
    expectTrpc413(declared.status, await declared.text());
    const streamed = await fetch(url, { method: "POST", headers: headers(), body: chunked(single), duplex: "half" } as RequestInit);
    expectTrpc413(streamed.status, await streamed.text());
    const batch = await fetch(`${url}?batch=1`, {
      method: "POST",
      headers: headers(),
      body: chunked(hugeJson((input) => ({ 0: { json: input } }))),
      duplex: "half",
    } as RequestInit);
    expectTrpc413(batch.status, await batch.text());
    expect(await uploadsOfTenant()).toBe(before);
  });

  it("REST door: the same body, declared or chunked, is a 413 problem, nothing stored", async () => {
    const before = await uploadsOfTenant();
    const body = hugeJson((input) => input);
    for (const init of [{ body }, { body: chunked(body), duplex: "half" }]) {
      const response = await fetch(`${server.baseUrl}/ingest/claims`, { method: "POST", headers: headers(), ...init } as RequestInit);
      expect(response.status).toBe(413);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
      expect(((await response.json()) as { code: string }).code).toBe("PAYLOAD_TOO_LARGE");
    }
    expect(await uploadsOfTenant()).toBe(before);
  });

  it("a body just under the limit still reaches the procedure on both doors (its own 400, not a 413)", async () => {
    const pad = "A".repeat(JSON_BODY_LIMIT - 200);
    const trpcAnswer = await fetch(`${server.origin}/api/trpc/ingest.claims`, {
      method: "POST",
      headers: headers(),
      body: JSON.stringify({ json: { lines: [], pad } }),
    });
    expect(trpcAnswer.status).toBe(400);
    const restAnswer = await fetch(`${server.baseUrl}/ingest/claims`, { method: "POST", headers: headers(), body: JSON.stringify({ lines: [], pad }) });
    expect(restAnswer.status).toBe(400);
  });

  it("fed an endless body, either handler stops reading soon after the limit and answers 413", async () => {
    for (const [door, handle, url] of [
      ["tRPC", handleTrpc, "http://127.0.0.1/api/trpc/ingest.claims"],
      ["REST", handleRest, "http://127.0.0.1/api/v1/ingest/claims"],
    ] as const) {
      let pulled = 0;
      // 256 MiB if read to the end; a handler that reads it whole would take seconds and memory.
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (pulled >= 256 * 1024 * 1024) return controller.close();
          const chunk = new Uint8Array(64 * 1024).fill(0x41);
          if (pulled === 0) chunk.set(Buffer.from('{"json":{"pad":"'));
          pulled += chunk.byteLength;
          controller.enqueue(chunk);
        },
      });
      const response = await handle(new Request(url, { method: "POST", headers: headers(), body, duplex: "half" } as RequestInit));
      expect(response.status, door).toBe(413);
      expect(pulled, `${door} read ${pulled} bytes`).toBeLessThan(JSON_BODY_LIMIT + 8 * 64 * 1024);
    }
  });
});
