import { Validator } from "@seriousme/openapi-schema-validator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRestServer, type TRestServer } from "@/test/factories";

/**
 * The published OpenAPI document, fetched over real HTTP like an outside caller would, checked
 * with a real OpenAPI 3.1 schema validator and against the contract of API.md: every operation
 * documented (summary, description, tags, a 200 schema, error responses as problem+json).
 */

type TOperation = {
  "x-route-handler"?: boolean;
  operationId?: string;
  summary?: string;
  description?: string;
  tags?: string[];
  security?: unknown[];
  parameters?: { in: string; name: string }[];
  requestBody?: { content?: Record<string, unknown> };
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: unknown; example?: unknown }> }>;
};
type TDocument = {
  openapi: string;
  paths: Record<string, Record<string, TOperation>>;
  components?: { schemas?: Record<string, { required?: string[] }>; securitySchemes?: Record<string, unknown> };
};

let server: TRestServer;
let document: TDocument;
let response: Response;

const METHODS = ["get", "post", "put", "patch", "delete"];

function operations(): { key: string; path: string; method: string; operation: TOperation }[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, operation]) => ({ key: `${method.toUpperCase()} ${path}`, path, method, operation })),
  );
}

beforeAll(async () => {
  server = await startRestServer();
  response = await fetch(`${server.baseUrl}/openapi.json`);
  document = (await response.json()) as TDocument;
});

afterAll(async () => {
  await server?.close();
});

describe("GET /api/v1/openapi.json", () => {
  it("answers JSON without authentication, with an x-request-id", () => {
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(response.headers.get("x-request-id")).toBeTruthy();
  });

  it("is a valid OpenAPI 3.1 document", async () => {
    expect(Validator.supportedVersions.has("3.1")).toBe(true);
    const validator = new Validator();
    const result = await validator.validate(structuredClone(document) as Record<string, unknown>);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
    expect(document.openapi).toMatch(/^3\.1\./);

    // Not vacuous: the same validator rejects a broken copy.
    const broken = structuredClone(document) as TDocument & Record<string, unknown>;
    (broken.paths["/health"]!.get as Record<string, unknown>).responses = { "200": { content: {} } };
    expect((await new Validator().validate(broken)).valid).toBe(false);
  });

  it("documents every operation: summary, description, tags and a 200 response schema", () => {
    const problems: string[] = [];
    for (const { key, operation } of operations()) {
      if (!operation.summary?.trim()) problems.push(`${key}: no summary`);
      if (!operation.description?.trim()) problems.push(`${key}: no description`);
      if (!operation.tags?.length) problems.push(`${key}: no tags`);
      if (!operation.operationId) problems.push(`${key}: no operationId`);
      // Route handlers (files such as CSV downloads) document their own media type.
      const content = operation.responses?.["200"]?.content ?? {};
      const ok = operation["x-route-handler"] ? Object.values(content).some((media) => media.schema) : content["application/json"]?.schema;
      if (!ok) problems.push(`${key}: no 200 response schema`);
    }
    expect(operations().length).toBeGreaterThan(0);
    expect(problems).toEqual([]);
  });

  it("documents error responses as application/problem+json with the Problem schema", () => {
    const problemSchema = document.components?.schemas?.Problem;
    expect(problemSchema?.required?.sort()).toEqual(["code", "detail", "errors", "requestId", "status", "title", "type"]);
    const problems: string[] = [];
    for (const { key, path, method, operation } of operations()) {
      const protectedOperation = (operation.security ?? []).length > 0;
      const expected = ["500", ...(protectedOperation ? ["400", "401", "403", "429"] : [])];
      if (path.includes("{")) expected.push("404");
      if (method === "post" || method === "patch") expected.push("413");
      for (const status of expected) {
        const documented = operation.responses?.[status];
        if (!documented) {
          problems.push(`${key}: ${status} not documented`);
          continue;
        }
        if (!documented.description?.trim()) problems.push(`${key}: ${status} without description`);
      }
      for (const [status, documented] of Object.entries(operation.responses ?? {})) {
        if (Number(status) < 400) continue;
        const content = documented.content ?? {};
        if (Object.keys(content).join() !== "application/problem+json") problems.push(`${key}: ${status} is ${Object.keys(content).join()}`);
        const media = content["application/problem+json"];
        if (JSON.stringify(media?.schema) !== JSON.stringify({ $ref: "#/components/schemas/Problem" })) problems.push(`${key}: ${status} schema is not Problem`);
        const example = media?.example as { status?: number } | undefined;
        if (example ? example.status !== Number(status) : !operation["x-route-handler"]) problems.push(`${key}: ${status} example missing or with another status`);
      }
    }
    expect(problems).toEqual([]);
    // trpc-to-openapi's own error bodies ({ message, code, issues }) are not what the API answers.
    expect(Object.keys(document.components?.schemas ?? {}).filter((name) => name.startsWith("error."))).toEqual([]);
  });

  it("protects every operation but health with bearer auth", () => {
    expect(document.components?.securitySchemes).toHaveProperty("bearerAuth");
    const open = operations()
      .filter(({ operation }) => (operation.security ?? []).length === 0)
      .map(({ key }) => key);
    expect(open).toEqual(["GET /health"]);
  });

  it("exposes no internal or secret fields in any response schema", () => {
    const text = JSON.stringify(document);
    for (const secret of ["keyHash", "passwordHash", "prevHash", "secretCiphertext"]) expect(text).not.toContain(secret);
  });
});

describe("GET /api/v1/health", () => {
  it("answers 200 without auth, with the documented shape", async () => {
    const health = await fetch(`${server.baseUrl}/health`);
    expect(health.status).toBe(200);
    expect(health.headers.get("x-request-id")).toBeTruthy();
    const body = (await health.json()) as { status: string; time: string };
    expect(body.status).toBe("ok");
    expect(Number.isNaN(Date.parse(body.time))).toBe(false);
  });

  it("ignores bad credentials (public)", async () => {
    const health = await fetch(`${server.baseUrl}/health`, { headers: { authorization: "Bearer nonsense" } });
    expect(health.status).toBe(200);
  });
});
