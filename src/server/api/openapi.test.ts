import { Validator } from "@seriousme/openapi-schema-validator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { createTestTenant, startRestServer, type TRestServer } from "@/test/factories";

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
  requestBody?: { required?: boolean; content?: Record<string, unknown> };
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: unknown; example?: unknown }> }>;
};
type TDocument = {
  openapi: string;
  security?: unknown[];
  paths: Record<string, Record<string, TOperation>>;
  components?: { schemas?: Record<string, { required?: string[]; properties?: Record<string, unknown> }>; securitySchemes?: Record<string, unknown> };
};

let server: TRestServer;
let document: TDocument;
let response: Response;

const METHODS = ["get", "post", "put", "patch", "delete"];

/**
 * An error body is documented as Problem, or (a route handler's richer error) as a component
 * that has every Problem field, required, plus its own.
 */
function isProblemSchema(schema: unknown): boolean {
  const ref = (schema as { $ref?: string } | undefined)?.$ref;
  if (ref === "#/components/schemas/Problem") return true;
  const problem = document.components?.schemas?.Problem;
  const named = ref?.startsWith("#/components/schemas/") ? document.components?.schemas?.[ref.slice("#/components/schemas/".length)] : undefined;
  if (!problem || !named) return false;
  return (
    Object.keys(problem.properties ?? {}).every((field) => field in (named.properties ?? {})) &&
    (problem.required ?? []).every((field) => named.required?.includes(field))
  );
}

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
      // (A route handler that only creates answers 201.)
      const content = operation.responses?.["200"]?.content ?? (operation["x-route-handler"] ? operation.responses?.["201"]?.content : undefined) ?? {};
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
      const protectedOperation = (operation.security ?? document.security ?? []).length > 0;
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
        if (!isProblemSchema(media?.schema)) problems.push(`${key}: ${status} schema is not Problem`);
        const example = media?.example as { status?: number } | undefined;
        if (example ? example.status !== Number(status) : !operation["x-route-handler"])
          problems.push(`${key}: ${status} example missing or with another status`);
      }
    }
    expect(problems).toEqual([]);
    // trpc-to-openapi's own error bodies ({ message, code, issues }) are not what the API answers.
    expect(Object.keys(document.components?.schemas ?? {}).filter((name) => name.startsWith("error."))).toEqual([]);
  });

  it("protects every operation but health with bearer auth, by default and explicitly", () => {
    expect(document.components?.securitySchemes).toHaveProperty("bearerAuth");
    // The root default protects an operation that says nothing; a public one says `security: []`.
    expect(document.security).toEqual([{ bearerAuth: [] }]);
    const open = operations()
      .filter(({ operation }) => (operation.security ?? document.security ?? []).length === 0)
      .map(({ key }) => key);
    expect(open).toEqual(["GET /health"]);
    expect(document.paths["/health"]!.get!.security).toEqual([]);
  });

  it("answers an operation that needs no request body when it is sent without one (no Content-Type either)", async () => {
    // A client generated from the document sends no body where none is documented, or where it
    // is optional; the door must not then demand Content-Type: application/json (415).
    const tenant = await createTestTenant();
    const bodiless = operations().filter(({ method, operation }) => method !== "get" && !operation.requestBody?.required);
    expect(bodiless.map(({ key }) => key)).toContain("POST /alerts/{id}/acknowledge");
    const refused: string[] = [];
    let found = 0;
    for (const { key, path, method } of bodiless) {
      const response = await fetch(`${server.baseUrl}${path.replace(/\{[^}]+\}/g, randomUUID())}`, {
        method: method.toUpperCase(),
        headers: tenant.keys.ADMIN.headers,
      });
      // Unknown ids are 404s, which is fine here: the request got past the body check.
      if (response.status === 415 || response.status >= 500) refused.push(`${key}: ${response.status}`);
      if (response.ok) found += 1;
    }
    expect(refused).toEqual([]);
    expect(found).toBeGreaterThan(0); // POST /reports/trigger, at least, did its work
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

  it("answers an unknown query parameter with the documented 400 problem", async () => {
    expect(document.paths["/health"]!.get!.responses).toHaveProperty("400");
    const health = await fetch(`${server.baseUrl}/health?verbose=1`);
    expect(health.status).toBe(400);
    expect(health.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(await health.json()).toMatchObject({ status: 400, code: "BAD_REQUEST" });
  });

  it("ignores bad credentials (public)", async () => {
    const health = await fetch(`${server.baseUrl}/health`, { headers: { authorization: "Bearer nonsense" } });
    expect(health.status).toBe(200);
  });
});
