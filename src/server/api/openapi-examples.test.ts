import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { createTestTenant, startRestServer } from "@/test/factories";
import { checkAgainstDocument, checkExamples, collectExamples } from "@/test/openapi-examples";
import { openApiDocument } from "./openapi";

/**
 * Every example in the OpenAPI document (media types, parameters, headers, schemas; found by
 * walking the whole document, so examples added later are covered too) satisfies the schema it
 * illustrates, under JSON Schema 2020-12 with formats, and shows no field its schema leaves out.
 */

describe("examples of /api/v1/openapi.json", () => {
  it("each satisfies its schema", () => {
    const document = openApiDocument();
    const { checked, failures } = checkExamples(document);
    expect(failures).toEqual([]);
    // Not vacuous: every operation documents at least one example (its error bodies).
    const operations = Object.values(document.paths ?? {}).flatMap((item) =>
      Object.keys(item ?? {}).filter((key) => ["get", "post", "put", "patch", "delete"].includes(key)),
    );
    expect(checked).toBeGreaterThanOrEqual(operations.length);
  });

  it("the check finds examples wherever they are and catches each way an example can contradict its schema", () => {
    const document = {
      openapi: "3.1.0",
      info: { title: "t", version: "1" },
      paths: {
        "/things/{id}": {
          parameters: [{ name: "id", in: "path", required: true, schema: { type: "string", format: "uuid" }, example: "not-a-uuid" }],
          post: {
            requestBody: {
              content: {
                "application/json": {
                  schema: { $ref: "#/components/schemas/Thing" },
                  examples: {
                    good: { value: { name: "a", count: 1 } },
                    extra: { value: { name: "a", count: 1, colour: "red" } },
                    shared: { $ref: "#/components/examples/BadThing" },
                  },
                },
              },
            },
            responses: {
              "200": {
                description: "ok",
                headers: { "x-count": { schema: { type: "integer" }, example: "three" } },
                content: {
                  "application/json": {
                    schema: { type: "object", properties: { at: { type: "string", format: "date-time" } }, required: ["at"] },
                    example: { at: "yesterday" },
                  },
                },
              },
            },
          },
        },
      },
      components: {
        schemas: {
          Thing: { type: "object", properties: { name: { type: "string", examples: ["ok", 7] }, count: { type: "integer", minimum: 0 } }, required: ["name"] },
          Tagged: {
            allOf: [{ $ref: "#/components/schemas/Thing" }, { type: "object", properties: { tag: { type: "string" } } }],
            example: { name: "a", tag: "b" },
          },
          Mistagged: {
            allOf: [{ $ref: "#/components/schemas/Thing" }, { type: "object", properties: { tag: { type: "string" } } }],
            example: { name: "a", tag: "b", other: 1 },
          },
        },
        examples: { BadThing: { value: { count: -1 } } },
      },
    };
    const { checked, failures } = checkExamples(document);
    expect(
      collectExamples(document)
        .map((example) => example.at)
        .sort(),
    ).toEqual(
      [
        "#/components/schemas/Mistagged/example",
        "#/components/schemas/Tagged/example",
        "#/components/schemas/Thing/properties/name/examples/0",
        "#/components/schemas/Thing/properties/name/examples/1",
        "#/paths/~1things~1{id}/parameters/0/example",
        "#/paths/~1things~1{id}/post/requestBody/content/application~1json/examples/extra",
        "#/paths/~1things~1{id}/post/requestBody/content/application~1json/examples/good",
        "#/paths/~1things~1{id}/post/requestBody/content/application~1json/examples/shared",
        "#/paths/~1things~1{id}/post/responses/200/content/application~1json/example",
        "#/paths/~1things~1{id}/post/responses/200/headers/x-count/example",
      ].sort(),
    );
    expect(checked).toBe(10);
    expect(Object.fromEntries(failures.map((failure) => [failure.at, failure.errors]))).toEqual({
      "#/paths/~1things~1{id}/parameters/0/example": ['/ must match format "uuid"'],
      "#/paths/~1things~1{id}/post/requestBody/content/application~1json/examples/extra": ["/ must NOT have unevaluated properties: colour"],
      "#/paths/~1things~1{id}/post/requestBody/content/application~1json/examples/shared": ["/ must have required property 'name'", "/count must be >= 0"],
      "#/paths/~1things~1{id}/post/responses/200/headers/x-count/example": ["/ must be integer"],
      "#/paths/~1things~1{id}/post/responses/200/content/application~1json/example": ['/at must match format "date-time"'],
      "#/components/schemas/Thing/properties/name/examples/1": ["/ must be string"],
      "#/components/schemas/Mistagged/example": ["/ must NOT have unevaluated properties: other"],
    });
  });

  it("names the upload example's fields in its schema (the rejected upload's `upload`, `replayed`, `line`, `field`)", () => {
    const post = (
      openApiDocument().paths as Record<string, Record<string, { responses: Record<string, { content: Record<string, { example?: { errors?: object[] } }> }> }>>
    )["/uploads"]!.post!;
    const example = post.responses["400"]!.content["application/problem+json"]!.example!;
    expect(Object.keys(example)).toEqual(expect.arrayContaining(["upload", "replayed"]));
    expect(Object.keys(example.errors![0]!)).toEqual(expect.arrayContaining(["line", "field"]));
  });

  it("the upload answers the examples illustrate have those schemas too: applied, replayed, applied with skipped items, rejected", async () => {
    const server = await startRestServer();
    try {
      const tenant = await createTestTenant();
      const fixture = (name: string) => readFile(new URL(`../services/ingestion/parse/fixtures/x12/${name}`, import.meta.url), "utf8");
      const post = async (name: string) => {
        const headers = new Headers(tenant.keys.ANALYST.headers);
        headers.set("content-type", "application/edi-x12");
        const response = await fetch(`${server.baseUrl}/uploads`, { method: "POST", headers, body: await fixture(name) });
        return { status: response.status, mediaType: response.headers.get("content-type")!.split(";")[0]!, body: (await response.json()) as unknown };
      };
      const answers = [await post("outcomes.835"), await post("outcomes.835"), await post("invalid-values.835"), await post("truncated.835")];
      expect(answers.map((answer) => `${answer.status} ${answer.mediaType}`)).toEqual([
        "201 application/json",
        "200 application/json",
        "201 application/json",
        "400 application/problem+json",
      ]);
      expect((answers[2]!.body as { upload: { skippedCount: number } }).upload.skippedCount).toBeGreaterThan(0);
      const document = openApiDocument();
      for (const { status, mediaType, body } of answers) {
        const schemaAt = `#/paths/~1uploads/post/responses/${status}/content/${mediaType.replace("/", "~1")}/schema`;
        expect(checkAgainstDocument(document, schemaAt, body), `${status}: ${JSON.stringify(body).slice(0, 400)}`).toEqual([]);
      }
    } finally {
      await server.close();
    }
  });
});
