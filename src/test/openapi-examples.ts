import Ajv2020, { type ErrorObject } from "ajv/dist/2020";
import addFormats from "ajv-formats";

/**
 * Finds every example in an OpenAPI 3.1 document and checks it against the schema it
 * illustrates, with a JSON Schema 2020-12 validator (the dialect of OpenAPI 3.1):
 * - `example` / `examples` (a map of Example Objects, `value` or `$ref`) next to a `schema` — media
 *   types of request bodies and responses, parameters, headers — wherever they are in the document;
 * - `examples` (an array) and `example` inside a schema, at any depth, against that subschema.
 *
 * Strict about fields: an object in an example may only carry properties its schema names (as
 * Redocly's no-invalid-media-type-examples does). A caller copies an example; a field the schema
 * does not describe is one they cannot rely on. Objects that declare `additionalProperties` or
 * `unevaluatedProperties` themselves keep their own rule.
 */

export type TExample = {
  /** JSON pointer of the example value. */
  at: string;
  /** JSON pointer of the schema it must satisfy. */
  schemaAt: string;
  value: unknown;
};

export type TExampleFailure = { at: string; errors: string[] };

type TNode = Record<string, unknown>;

const isObject = (value: unknown): value is TNode => typeof value === "object" && value !== null && !Array.isArray(value);
const escape = (key: string) => key.replace(/~/g, "~0").replace(/\//g, "~1");

// JSON Schema 2020-12 keywords whose values are subschemas.
const ONE_SCHEMA = [
  "items",
  "additionalProperties",
  "unevaluatedProperties",
  "unevaluatedItems",
  "not",
  "if",
  "then",
  "else",
  "contains",
  "propertyNames",
  "contentSchema",
];
const SCHEMA_LISTS = ["allOf", "anyOf", "oneOf", "prefixItems"];
const SCHEMA_MAPS = ["properties", "patternProperties", "$defs", "dependentSchemas"];

function subschemas(schema: TNode, at: string): [TNode, string][] {
  const found: [TNode, string][] = [];
  for (const key of ONE_SCHEMA) if (isObject(schema[key])) found.push([schema[key], `${at}/${key}`]);
  for (const key of SCHEMA_LISTS) {
    const list = schema[key];
    if (Array.isArray(list)) list.forEach((item, i) => isObject(item) && found.push([item, `${at}/${key}/${i}`]));
  }
  for (const key of SCHEMA_MAPS) {
    const map = schema[key];
    if (isObject(map)) for (const [name, item] of Object.entries(map)) if (isObject(item)) found.push([item, `${at}/${key}/${escape(name)}`]);
  }
  return found;
}

function resolvePointer(document: unknown, pointer: string): unknown {
  if (!pointer.startsWith("#")) throw new Error(`only local references are supported: ${pointer}`);
  return pointer
    .slice(1)
    .split("/")
    .slice(1)
    .map((part) => part.replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce<unknown>((node, part) => (isObject(node) || Array.isArray(node) ? (node as TNode)[part] : undefined), document);
}

/**
 * The schemas of the document that are not inside another schema: `components.schemas.*` and
 * the `schema` of every Media Type, Parameter and Header Object (the only objects with one),
 * each with the object holding it (for its `example` / `examples`).
 */
function schemaRoots(document: unknown): { schema: TNode; at: string; holder?: TNode; holderAt?: string }[] {
  const roots: { schema: TNode; at: string; holder?: TNode; holderAt?: string }[] = [];
  const walk = (node: unknown, at: string): void => {
    if (Array.isArray(node)) return node.forEach((item, i) => walk(item, `${at}/${i}`));
    if (!isObject(node)) return;
    if (at === "#/components/schemas") {
      for (const [name, schema] of Object.entries(node)) if (isObject(schema)) roots.push({ schema, at: `${at}/${escape(name)}` });
      return;
    }
    if (isObject(node.schema)) roots.push({ schema: node.schema, at: `${at}/schema`, holder: node, holderAt: at });
    for (const [key, value] of Object.entries(node)) if (key !== "schema" && key !== "example" && key !== "examples") walk(value, `${at}/${escape(key)}`);
  };
  walk(document, "#");
  return roots;
}

function forEachSchema(schema: TNode, at: string, visit: (schema: TNode, at: string) => void): void {
  visit(schema, at);
  for (const [sub, subAt] of subschemas(schema, at)) forEachSchema(sub, subAt, visit);
}

/** Every example of the document with the schema it must satisfy. */
export function collectExamples(document: unknown): TExample[] {
  const out: TExample[] = [];
  for (const { schema, at, holder, holderAt } of schemaRoots(document)) {
    if (holder) {
      if ("example" in holder) out.push({ at: `${holderAt}/example`, schemaAt: at, value: holder.example });
      if (isObject(holder.examples)) {
        for (const [name, example] of Object.entries(holder.examples)) {
          const resolved = isObject(example) && typeof example.$ref === "string" ? resolvePointer(document, example.$ref) : example;
          if (isObject(resolved) && "value" in resolved) out.push({ at: `${holderAt}/examples/${escape(name)}`, schemaAt: at, value: resolved.value });
        }
      }
    }
    forEachSchema(schema, at, (sub, subAt) => {
      if (Array.isArray(sub.examples)) sub.examples.forEach((value, i) => out.push({ at: `${subAt}/examples/${i}`, schemaAt: subAt, value }));
      if ("example" in sub) out.push({ at: `${subAt}/example`, schemaAt: subAt, value: sub.example });
    });
  }
  return out;
}

/** The formats the document's schemas use: the validator must know each, or it passes unchecked. */
export function formatsIn(document: unknown): Set<string> {
  const formats = new Set<string>();
  for (const { schema, at } of schemaRoots(document)) forEachSchema(schema, at, (sub) => typeof sub.format === "string" && formats.add(sub.format));
  return formats;
}

/**
 * A copy of the document in which every object schema that names properties, and leaves extra
 * ones open, forbids them (`unevaluatedProperties: false`, which sees through `$ref` and the
 * composition keywords). The members of an `allOf` stay open (a `$ref` member is replaced by an
 * open copy of its target) and the schema holding the `allOf` is closed instead, so the
 * members' properties add up rather than exclude each other.
 */
function closeObjectSchemas(document: unknown): unknown {
  const copy = structuredClone(document);
  const closed = new Set<TNode>();
  const close = (schema: TNode, keepOpen: boolean, depth = 0): void => {
    if (closed.has(schema)) return;
    closed.add(schema);
    if (keepOpen && typeof schema.$ref === "string" && depth < 16) {
      const target = resolvePointer(document, schema.$ref);
      if (isObject(target)) {
        delete schema.$ref;
        Object.assign(schema, structuredClone(target));
        closed.delete(schema);
        return close(schema, true, depth + 1);
      }
    }
    const open = !("additionalProperties" in schema) && !("unevaluatedProperties" in schema);
    const named = isObject(schema.properties) || Array.isArray(schema.allOf);
    if (open && named && !keepOpen) schema.unevaluatedProperties = false;
    for (const key of ONE_SCHEMA) if (isObject(schema[key])) close(schema[key], false);
    for (const key of SCHEMA_LISTS) {
      const list = schema[key];
      if (Array.isArray(list)) for (const item of list) if (isObject(item)) close(item, key === "allOf", depth);
    }
    for (const key of SCHEMA_MAPS) {
      const map = schema[key];
      if (isObject(map)) for (const item of Object.values(map)) if (isObject(item)) close(item, false);
    }
  };
  for (const { schema } of schemaRoots(copy)) close(schema, false);
  return copy;
}

const DOCUMENT_ID = "urn:driftline:openapi-under-test";

export function createExampleValidator(): Ajv2020 {
  // strict: false, because the document also holds OpenAPI keywords (`example`, `xml`, `x-…`) and
  // non-schema members (`paths`, `info`); formats are still validated.
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
  addFormats(ajv);
  // OpenAPI's own format for file contents: any string.
  ajv.addFormat("binary", true);
  return ajv;
}

/** Checks every example against its schema; the failures, each with Ajv's reasons. */
export function checkExamples(document: unknown, ajv: Ajv2020 = createExampleValidator()): { checked: number; failures: TExampleFailure[] } {
  const examples = collectExamples(document);
  const unknown = [...formatsIn(document)].filter((format) => !ajv.formats[format]);
  if (unknown.length > 0) throw new Error(`formats the validator does not know: ${unknown.join(", ")}`);
  ajv.removeSchema(DOCUMENT_ID);
  ajv.addSchema({ ...(closeObjectSchemas(document) as TNode), $id: DOCUMENT_ID });
  const failures: TExampleFailure[] = [];
  // Hundreds of examples share a handful of schemas (every error body is `$ref: Problem`).
  const validators = new Map<string, ReturnType<typeof ajv.compile>>();
  for (const example of examples) {
    const key = JSON.stringify(resolvePointer(document, example.schemaAt));
    const validate = validators.get(key) ?? ajv.compile({ $ref: `${DOCUMENT_ID}${example.schemaAt}` });
    validators.set(key, validate);
    if (!validate(example.value))
      failures.push({
        at: example.at,
        errors: (validate.errors ?? []).map(
          (error: ErrorObject) =>
            `${error.instancePath || "/"} ${error.message ?? error.keyword}${error.keyword === "unevaluatedProperties" ? `: ${String(error.params.unevaluatedProperty)}` : ""}`,
        ),
      });
  }
  return { checked: examples.length, failures };
}

/**
 * Checks a real answer against the schema the document gives it (same strictness as the
 * examples: no field the schema leaves out). The errors, empty when it conforms.
 */
export function checkAgainstDocument(document: unknown, schemaAt: string, value: unknown, ajv: Ajv2020 = createExampleValidator()): string[] {
  if (resolvePointer(document, schemaAt) === undefined) throw new Error(`no schema at ${schemaAt}`);
  ajv.removeSchema(DOCUMENT_ID);
  ajv.addSchema({ ...(closeObjectSchemas(document) as TNode), $id: DOCUMENT_ID });
  const validate = ajv.compile({ $ref: `${DOCUMENT_ID}${schemaAt}` });
  return validate(value)
    ? []
    : (validate.errors ?? []).map(
        (error) =>
          `${error.instancePath || "/"} ${error.message ?? error.keyword}${error.keyword === "unevaluatedProperties" ? `: ${String(error.params.unevaluatedProperty)}` : ""}`,
      );
}
