import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { beforeAll, describe, expect, it } from "vitest";
import { Prisma } from "@/generated/prisma/client";
import * as generatedEnums from "@/generated/prisma/enums";

/**
 * prisma/schema.prisma and the migrated database (the schema of record: dbmate's SQL) agree, both
 * ways: tables, columns (type and nullability), enums, primary and unique keys, foreign keys.
 *
 * Where the Prisma side comes from: the official DMMF is not reachable here. `@prisma/internals`
 * (getDMMF) is not installed, the generated client's `runtimeDataModel` carries neither native
 * types (`@db.*`) nor optionality, list-ness, unique keys or relation fields, and the CLI bundles
 * its schema wasm without exporting it. So this file parses the subset of the Prisma schema
 * language that schema.prisma uses (below); anything outside that subset throws instead of being
 * skipped, and a test checks the parser sees exactly the models, scalar fields and enum values of
 * the generated client.
 */

const SCHEMA_PATH = fileURLToPath(new URL("../../../prisma/schema.prisma", import.meta.url));
/** dbmate's bookkeeping table: no model describes it. */
const DBMATE_TABLE = "schema_migrations";

/**
 * Unique indexes with a WHERE predicate: Prisma cannot express them, so they are listed here (and
 * in the model's doc comment). The checker reports a partial unique index missing from this list,
 * and a listed one that is absent, not partial, or on other columns.
 */
const PARTIAL_UNIQUE_EXCEPTIONS: readonly TPartialUniqueException[] = [
  // At most one queued or running detection run per tenant.
  { table: "detection_runs", index: "detection_runs_one_in_progress", columns: ["customer_id"] },
  // One active drift event per (tenant, payer, CPT group, drift type).
  { table: "drift_events", index: "drift_events_one_active", columns: ["customer_id", "payer_id", "cpt_group", "drift_type"] },
  // One open (neither accepted nor revoked) invitation per (tenant, e-mail).
  { table: "invitations", index: "invitations_open_key", columns: ["customer_id", "email"] },
];

type TPartialUniqueException = { table: string; index: string; columns: readonly string[] };

// =============================================================================================
// The Prisma side: a parser for the subset of schema.prisma syntax this project uses.
//
//   generator NAME { ... }   datasource NAME { ... }   (skipped: they describe no tables)
//   enum NAME { VALUE [@map("label")] ... [@@map("pg_type")] }
//   model NAME {
//     field Type[?|[]] [@id[(map: "..")]] [@unique[(map: "..")]] [@default(..)] [@updatedAt]
//                      [@map("column")] [@db.Native[(args)]] [@relation(["Name",] fields: [..],
//                      references: [..], onDelete: X, onUpdate: Y)]
//     @@id([..][, map: ".."])   @@unique([..][, map: ".."])   @@index(..)   @@map("table")
//   }
//   // and /// comments anywhere outside strings.
//
// Unknown blocks, attributes (@ignore, @@schema, ...) and types (Unsupported(..)) throw, so a
// schema change outside the subset fails loudly here rather than being compared wrongly.
// =============================================================================================

type TToken = { kind: "ident" | "string" | "number" | "punct" | "newline" | "eof"; value: string; line: number };
type TValue = { kind: "string" | "number" | "ident"; value: string } | { kind: "array"; items: TValue[] } | { kind: "call"; value: string; args: TArg[] };
type TArg = { name?: string; value: TValue };
type TAttribute = { name: string; args: TArg[]; line: number };

type TNativeType = { name: string; args: string[] };
type TRelation = { fields?: string[]; references?: string[]; onDelete?: string; onUpdate?: string };
type TPrismaField = {
  name: string;
  type: string;
  kind: "scalar" | "enum" | "object";
  isList: boolean;
  isOptional: boolean;
  dbName: string;
  nativeType?: TNativeType;
  relation?: TRelation;
};
type TPrismaKey = { fields: string[]; map?: string; source: "@id" | "@@id" | "@unique" | "@@unique" };
type TPrismaModel = { name: string; dbName: string; fields: TPrismaField[]; primaryKey?: TPrismaKey; uniques: TPrismaKey[] };
type TPrismaEnum = { name: string; dbName: string; values: string[]; dbValues: string[] };
type TPrismaSchema = { models: TPrismaModel[]; enums: TPrismaEnum[] };

const SCALAR_TYPES = new Set(["String", "Int", "BigInt", "Float", "Decimal", "Boolean", "DateTime", "Json", "Bytes"]);
const FIELD_ATTRIBUTES = new Set(["id", "unique", "default", "updatedAt", "map", "relation"]);
const MODEL_ATTRIBUTES = new Set(["id", "unique", "index", "map"]);
const ENUM_ATTRIBUTES = new Set(["map"]);

function tokenize(text: string): TToken[] {
  const tokens: TToken[] = [];
  const identifier = /[A-Za-z_][A-Za-z0-9_]*/y;
  const number = /-?[0-9]+(?:\.[0-9]+)?/y;
  let line = 1;
  let i = 0;
  const sticky = (pattern: RegExp): string | undefined => {
    pattern.lastIndex = i;
    return pattern.exec(text)?.[0];
  };
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === "\n") {
      tokens.push({ kind: "newline", value: "\\n", line });
      line += 1;
      i += 1;
    } else if (ch === " " || ch === "\t" || ch === "\r") {
      i += 1;
    } else if (text.startsWith("//", i)) {
      // `//` and `///` comments run to the end of the line (the newline itself is kept).
      const end = text.indexOf("\n", i);
      i = end === -1 ? text.length : end;
    } else if (ch === '"') {
      let value = "";
      i += 1;
      while (text[i] !== '"') {
        if (i >= text.length || text[i] === "\n") throw new Error(`schema.prisma:${line}: unterminated string`);
        if (text[i] === "\\") i += 1; // \" and \\ are the only escapes this schema needs
        value += text[i];
        i += 1;
      }
      i += 1;
      tokens.push({ kind: "string", value, line });
    } else if (sticky(identifier)) {
      const value = sticky(identifier)!;
      tokens.push({ kind: "ident", value, line });
      i += value.length;
    } else if (sticky(number)) {
      const value = sticky(number)!;
      tokens.push({ kind: "number", value, line });
      i += value.length;
    } else if (text.startsWith("@@", i)) {
      tokens.push({ kind: "punct", value: "@@", line });
      i += 2;
    } else if ("{}()[],:=?@.".includes(ch)) {
      tokens.push({ kind: "punct", value: ch, line });
      i += 1;
    } else {
      throw new Error(`schema.prisma:${line}: unexpected character ${JSON.stringify(ch)}`);
    }
  }
  tokens.push({ kind: "eof", value: "end of file", line });
  return tokens;
}

type TRawField = { name: string; type: string; isList: boolean; isOptional: boolean; attributes: TAttribute[]; line: number };
type TRawModel = { name: string; fields: TRawField[]; attributes: TAttribute[]; line: number };
type TRawEnum = { name: string; values: { name: string; attributes: TAttribute[] }[]; attributes: TAttribute[]; line: number };

class SchemaParser {
  private pos = 0;
  readonly models: TRawModel[] = [];
  readonly enums: TRawEnum[] = [];

  constructor(private readonly tokens: TToken[]) {}

  parse(): this {
    for (this.skipNewlines(); !this.is("eof"); this.skipNewlines()) {
      const keyword = this.expect("ident");
      const name = this.expect("ident").value;
      this.expect("punct", "{");
      if (keyword.value === "generator" || keyword.value === "datasource") this.skipBlock();
      else if (keyword.value === "model") this.models.push(this.parseModel(name, keyword.line));
      else if (keyword.value === "enum") this.enums.push(this.parseEnum(name, keyword.line));
      else throw new Error(`schema.prisma:${keyword.line}: unsupported block "${keyword.value}"; extend the parser`);
    }
    return this;
  }

  private parseModel(name: string, line: number): TRawModel {
    const model: TRawModel = { name, fields: [], attributes: [], line };
    for (this.skipNewlines(); !this.accept("punct", "}"); this.skipNewlines()) {
      if (this.is("punct", "@@")) {
        model.attributes.push(this.parseAttribute());
      } else {
        const fieldName = this.expect("ident");
        const type = this.expect("ident").value;
        if (type === "Unsupported") throw new Error(`schema.prisma:${fieldName.line}: Unsupported(..) types are outside the parser's subset`);
        const isList = this.accept("punct", "[");
        if (isList) this.expect("punct", "]");
        const isOptional = this.accept("punct", "?");
        if (isList && isOptional) throw new Error(`schema.prisma:${fieldName.line}: optional lists are not valid Prisma`);
        const attributes: TAttribute[] = [];
        while (this.is("punct", "@")) attributes.push(this.parseAttribute());
        model.fields.push({ name: fieldName.value, type, isList, isOptional, attributes, line: fieldName.line });
      }
      this.endOfLine();
    }
    return model;
  }

  private parseEnum(name: string, line: number): TRawEnum {
    const result: TRawEnum = { name, values: [], attributes: [], line };
    for (this.skipNewlines(); !this.accept("punct", "}"); this.skipNewlines()) {
      if (this.is("punct", "@@")) {
        result.attributes.push(this.parseAttribute());
      } else {
        const value = this.expect("ident").value;
        const attributes: TAttribute[] = [];
        while (this.is("punct", "@")) attributes.push(this.parseAttribute());
        result.values.push({ name: value, attributes });
      }
      this.endOfLine();
    }
    return result;
  }

  /** `@name`, `@@name`, `@db.Name`, each with optional `(args)`; the name excludes the @s. */
  private parseAttribute(): TAttribute {
    const at = this.next();
    let name = this.expect("ident").value;
    if (this.accept("punct", ".")) name += `.${this.expect("ident").value}`;
    const args = this.is("punct", "(") ? this.parseArgs() : [];
    return { name: `${at.value}${name}`, args, line: at.line };
  }

  private parseArgs(): TArg[] {
    this.expect("punct", "(");
    const args: TArg[] = [];
    for (this.skipNewlines(); !this.accept("punct", ")"); this.skipNewlines()) {
      if (args.length > 0) {
        this.expect("punct", ",");
        this.skipNewlines();
      }
      const named = this.is("ident") && this.peek(1).kind === "punct" && this.peek(1).value === ":";
      const name = named ? this.next().value : undefined;
      if (named) this.expect("punct", ":");
      this.skipNewlines();
      args.push({ name, value: this.parseValue() });
    }
    return args;
  }

  private parseValue(): TValue {
    const token = this.next();
    if (token.kind === "string" || token.kind === "number") return { kind: token.kind, value: token.value };
    if (token.kind === "ident")
      return this.is("punct", "(") ? { kind: "call", value: token.value, args: this.parseArgs() } : { kind: "ident", value: token.value };
    if (token.kind === "punct" && token.value === "[") {
      const items: TValue[] = [];
      for (this.skipNewlines(); !this.accept("punct", "]"); this.skipNewlines()) {
        if (items.length > 0) {
          this.expect("punct", ",");
          this.skipNewlines();
        }
        items.push(this.parseValue());
      }
      return { kind: "array", items };
    }
    throw new Error(`schema.prisma:${token.line}: unexpected ${token.value} in an attribute argument`);
  }

  private skipBlock(): void {
    for (let depth = 1; depth > 0;) {
      const token = this.next();
      if (token.kind === "eof") throw new Error(`schema.prisma: unterminated block`);
      if (token.kind === "punct" && token.value === "{") depth += 1;
      if (token.kind === "punct" && token.value === "}") depth -= 1;
    }
  }

  private endOfLine(): void {
    if (!this.is("punct", "}")) this.expect("newline");
  }

  private skipNewlines(): void {
    while (this.is("newline")) this.next();
  }

  private peek(offset = 0): TToken {
    return this.tokens[Math.min(this.pos + offset, this.tokens.length - 1)]!;
  }

  private next(): TToken {
    const token = this.peek();
    if (token.kind !== "eof") this.pos += 1;
    return token;
  }

  private is(kind: TToken["kind"], value?: string): boolean {
    const token = this.peek();
    return token.kind === kind && (value === undefined || token.value === value);
  }

  private accept(kind: TToken["kind"], value?: string): boolean {
    if (!this.is(kind, value)) return false;
    this.next();
    return true;
  }

  private expect(kind: TToken["kind"], value?: string): TToken {
    const token = this.peek();
    if (!this.is(kind, value)) throw new Error(`schema.prisma:${token.line}: expected ${value ?? kind}, found ${JSON.stringify(token.value)}`);
    return this.next();
  }
}

/** The argument called `name`, else the `position`-th unnamed one. */
function argument(attribute: TAttribute, name: string, position?: number): TValue | undefined {
  const named = attribute.args.find((arg) => arg.name === name);
  if (named) return named.value;
  return position === undefined ? undefined : attribute.args.filter((arg) => arg.name === undefined)[position]?.value;
}

function stringArgument(attribute: TAttribute, name: string, position?: number): string | undefined {
  const value = argument(attribute, name, position);
  if (value === undefined) return undefined;
  if (value.kind !== "string") throw new Error(`schema.prisma:${attribute.line}: ${attribute.name}(${name}) must be a string`);
  return value.value;
}

function identArgument(attribute: TAttribute, name: string): string | undefined {
  const value = argument(attribute, name);
  if (value === undefined) return undefined;
  if (value.kind !== "ident") throw new Error(`schema.prisma:${attribute.line}: ${attribute.name}(${name}) must be an identifier`);
  return value.value;
}

/** `[a, b(sort: Desc)]` -> ["a", "b"]. */
function fieldListArgument(attribute: TAttribute, name: string, position?: number): string[] | undefined {
  const value = argument(attribute, name, position);
  if (value === undefined) return undefined;
  if (value.kind !== "array") throw new Error(`schema.prisma:${attribute.line}: ${attribute.name}(${name}) must be a list of fields`);
  return value.items.map((item) => {
    if (item.kind === "ident" || item.kind === "call") return item.value;
    throw new Error(`schema.prisma:${attribute.line}: ${attribute.name}(${name}) must list field names`);
  });
}

function requiredString(attribute: TAttribute): string {
  const value = stringArgument(attribute, "name", 0);
  if (value === undefined) throw new Error(`schema.prisma:${attribute.line}: ${attribute.name} needs a name`);
  return value;
}

function checkAttributes(attributes: TAttribute[], prefix: "@" | "@@", allowed: Set<string>, allowNative: boolean): void {
  for (const attribute of attributes) {
    const bare = attribute.name.slice(prefix.length);
    const known = attribute.name.startsWith(prefix) && (allowed.has(bare) || (allowNative && bare.startsWith("db.")));
    if (!known) throw new Error(`schema.prisma:${attribute.line}: attribute ${attribute.name} is outside the parser's subset; extend the parser`);
  }
}

function parsePrismaSchema(text: string): TPrismaSchema {
  const parser = new SchemaParser(tokenize(text)).parse();
  const modelNames = new Set(parser.models.map((model) => model.name));
  const enumNames = new Set(parser.enums.map((item) => item.name));
  const names = [...parser.models, ...parser.enums].map((block) => block.name);
  const duplicate = names.find((name, index) => names.indexOf(name) !== index);
  if (duplicate) throw new Error(`schema.prisma: ${duplicate} is declared twice`);

  const enums = parser.enums.map((raw): TPrismaEnum => {
    checkAttributes(raw.attributes, "@@", ENUM_ATTRIBUTES, false);
    const map = raw.attributes.find((attribute) => attribute.name === "@@map");
    const dbValues = raw.values.map((value) => {
      checkAttributes(value.attributes, "@", ENUM_ATTRIBUTES, false);
      const valueMap = value.attributes.find((attribute) => attribute.name === "@map");
      return valueMap ? requiredString(valueMap) : value.name;
    });
    return { name: raw.name, dbName: map ? requiredString(map) : raw.name, values: raw.values.map((value) => value.name), dbValues };
  });

  const models = parser.models.map((raw): TPrismaModel => {
    checkAttributes(raw.attributes, "@@", MODEL_ATTRIBUTES, false);
    const fieldNames = new Set(raw.fields.map((field) => field.name));
    const checkFields = (fields: string[] | undefined, attribute: TAttribute): string[] => {
      if (!fields || fields.length === 0) throw new Error(`schema.prisma:${attribute.line}: ${attribute.name} needs fields`);
      const unknown = fields.find((field) => !fieldNames.has(field));
      if (unknown) throw new Error(`schema.prisma:${attribute.line}: ${raw.name} has no field ${unknown}`);
      return fields;
    };
    const model: TPrismaModel = { name: raw.name, dbName: raw.name, fields: [], uniques: [] };
    const setPrimaryKey = (key: TPrismaKey, line: number) => {
      if (model.primaryKey) throw new Error(`schema.prisma:${line}: ${raw.name} declares its primary key twice`);
      model.primaryKey = key;
    };

    for (const field of raw.fields) {
      checkAttributes(field.attributes, "@", FIELD_ATTRIBUTES, true);
      const kind = SCALAR_TYPES.has(field.type) ? "scalar" : enumNames.has(field.type) ? "enum" : modelNames.has(field.type) ? "object" : undefined;
      if (!kind) throw new Error(`schema.prisma:${field.line}: unknown type ${field.type}`);
      const parsed: TPrismaField = { name: field.name, type: field.type, kind, isList: field.isList, isOptional: field.isOptional, dbName: field.name };
      for (const attribute of field.attributes) {
        if (attribute.name === "@map") parsed.dbName = requiredString(attribute);
        else if (attribute.name === "@id") setPrimaryKey({ fields: [field.name], map: stringArgument(attribute, "map"), source: "@id" }, attribute.line);
        else if (attribute.name === "@unique") model.uniques.push({ fields: [field.name], map: stringArgument(attribute, "map"), source: "@unique" });
        else if (attribute.name.startsWith("@db.")) {
          parsed.nativeType = {
            name: attribute.name.slice("@db.".length),
            args: attribute.args.map((arg) => {
              if (arg.value.kind === "number" || arg.value.kind === "ident") return arg.value.value;
              throw new Error(`schema.prisma:${attribute.line}: ${attribute.name} takes numbers`);
            }),
          };
        } else if (attribute.name === "@relation") {
          parsed.relation = {
            fields: fieldListArgument(attribute, "fields"),
            references: fieldListArgument(attribute, "references"),
            onDelete: identArgument(attribute, "onDelete"),
            onUpdate: identArgument(attribute, "onUpdate"),
          };
          if (parsed.relation.fields) checkFields(parsed.relation.fields, attribute);
          if (!parsed.relation.fields !== !parsed.relation.references)
            throw new Error(`schema.prisma:${attribute.line}: @relation needs both fields and references`);
        }
      }
      if (kind === "object" ? parsed.nativeType || parsed.dbName !== field.name : parsed.relation) {
        throw new Error(`schema.prisma:${field.line}: ${raw.name}.${field.name} mixes relation and column attributes`);
      }
      model.fields.push(parsed);
    }

    for (const attribute of raw.attributes) {
      if (attribute.name === "@@map") model.dbName = requiredString(attribute);
      else if (attribute.name === "@@id" || attribute.name === "@@unique") {
        const fields = checkFields(fieldListArgument(attribute, "fields", 0), attribute);
        const map = stringArgument(attribute, "map");
        if (attribute.name === "@@id") setPrimaryKey({ fields, map, source: "@@id" }, attribute.line);
        else model.uniques.push({ fields, map, source: "@@unique" });
      }
      // @@index: non-unique indexes are not compared.
    }
    return model;
  });

  for (const model of models) {
    for (const field of model.fields) {
      const references = field.relation?.references;
      if (!references) continue;
      const target = models.find((candidate) => candidate.name === field.type)!;
      const unknown = references.find((name) => !target.fields.some((candidate) => candidate.name === name));
      if (unknown) throw new Error(`schema.prisma: ${model.name}.${field.name} references ${target.name}.${unknown}, which does not exist`);
    }
  }
  return { models, enums };
}

// =============================================================================================
// Prisma type + native attribute -> PostgreSQL's format_type(atttypid, atttypmod).
// =============================================================================================

/** PostgreSQL's default (and maximum) fractional-second precision: (6) and no modifier agree. */
function timeType(base: "timestamp" | "time", precision: string | undefined, zone: "with" | "without"): string {
  return `${base}${precision === undefined || precision === "6" ? "" : `(${precision})`} ${zone} time zone`;
}

/** format_type spells `timestamptz(6)` as "timestamp(6) with time zone": the same type as `timestamptz`. */
function normalizeDbType(type: string): string {
  return type.replace(/^(timestamp|time)\(6\)/, "$1");
}

/** format_type quotes type names that are not plain lower-case identifiers. */
function quoteTypeName(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

/**
 * "<Prisma type> <@db native type>" -> format_type, given the native type's arguments. The entries
 * without a native type are Prisma's defaults on PostgreSQL (Decimal: numeric(65,30), DateTime:
 * timestamp(3), Json: jsonb).
 */
const DB_TYPES: Record<string, (first?: string, second?: string) => string> = {
  "String ": () => "text",
  "String Text": () => "text",
  "String VarChar": (n) => (n === undefined ? "character varying" : `character varying(${n})`),
  "String Char": (n = "1") => `character(${n})`,
  "String Uuid": () => "uuid",
  "String Citext": () => "citext",
  "String Inet": () => "inet",
  "String Xml": () => "xml",
  "String Bit": (n = "1") => `bit(${n})`,
  "String VarBit": (n) => (n === undefined ? "bit varying" : `bit varying(${n})`),
  "Int ": () => "integer",
  "Int Integer": () => "integer",
  "Int SmallInt": () => "smallint",
  "Int Oid": () => "oid",
  "BigInt ": () => "bigint",
  "BigInt BigInt": () => "bigint",
  "Float ": () => "double precision",
  "Float DoublePrecision": () => "double precision",
  "Float Real": () => "real",
  "Decimal ": () => "numeric(65,30)",
  "Decimal Decimal": (p, s = "0") => (p === undefined ? "numeric" : `numeric(${p},${s})`),
  "Decimal Money": () => "money",
  "Boolean ": () => "boolean",
  "Boolean Boolean": () => "boolean",
  "DateTime ": () => timeType("timestamp", "3", "without"),
  "DateTime Timestamp": (p) => timeType("timestamp", p, "without"),
  "DateTime Timestamptz": (p) => timeType("timestamp", p, "with"),
  "DateTime Date": () => "date",
  "DateTime Time": (p) => timeType("time", p, "without"),
  "DateTime Timetz": (p) => timeType("time", p, "with"),
  "Json ": () => "jsonb",
  "Json JsonB": () => "jsonb",
  "Json Json": () => "json",
  "Bytes ": () => "bytea",
  "Bytes ByteA": () => "bytea",
};

function scalarDbType(field: TPrismaField): string {
  const key = `${field.type} ${field.nativeType?.name ?? ""}`;
  const mapping = DB_TYPES[key];
  if (!mapping) throw new Error(`no PostgreSQL type for ${field.type} @db.${field.nativeType?.name}; extend DB_TYPES`);
  return mapping(...(field.nativeType?.args ?? []));
}

function prismaDbType(field: TPrismaField, enums: TPrismaEnum[]): string {
  const element = field.kind === "enum" ? quoteTypeName(enums.find((item) => item.name === field.type)!.dbName) : scalarDbType(field);
  return field.isList ? `${element}[]` : element;
}

// =============================================================================================
// The database side, read from pg_catalog.
// =============================================================================================

type TDbColumn = { table: string; column: string; type: string; notNull: boolean };
type TDbEnum = { name: string; labels: string[] };
type TDbUnique = { table: string; name: string; columns: string[]; isPrimary: boolean; isPartial: boolean; predicate: string | null };
type TDbForeignKey = { table: string; name: string; columns: string[]; refTable: string; refColumns: string[]; onDelete: string; onUpdate: string };
type TDbSchema = { tables: string[]; columns: TDbColumn[]; enums: TDbEnum[]; uniques: TDbUnique[]; foreignKeys: TDbForeignKey[] };

async function readDatabase(url: string): Promise<TDbSchema> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const tables = await client.query<{ name: string }>(`
      SELECT c.relname::text AS name
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
      ORDER BY 1`);
    const columns = await client.query<TDbColumn>(`
      SELECT c.relname::text AS "table", a.attname::text AS "column",
             format_type(a.atttypid, a.atttypmod) AS "type", a.attnotnull AS "notNull"
      FROM pg_attribute a
      JOIN pg_class c ON c.oid = a.attrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY c.relname, a.attnum`);
    const enums = await client.query<TDbEnum>(`
      SELECT t.typname::text AS name,
             coalesce(array_agg(e.enumlabel::text ORDER BY e.enumsortorder) FILTER (WHERE e.enumlabel IS NOT NULL), '{}') AS labels
      FROM pg_type t
      JOIN pg_namespace n ON n.oid = t.typnamespace
      LEFT JOIN pg_enum e ON e.enumtypid = t.oid
      WHERE n.nspname = 'public' AND t.typtype = 'e'
      GROUP BY t.typname
      ORDER BY 1`);
    // Unique constraints and primary keys are backed by unique indexes of the same name, so
    // pg_index sees them and plain CREATE UNIQUE INDEX alike. Only key columns count (not INCLUDE);
    // an expression key shows as "(expression)".
    const uniques = await client.query<TDbUnique>(`
      SELECT t.relname::text AS "table", i.relname::text AS name,
             ARRAY(SELECT coalesce(a.attname::text, '(expression)')
                   FROM unnest(ix.indkey) WITH ORDINALITY AS k(attnum, ord)
                   LEFT JOIN pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = k.attnum
                   WHERE k.ord <= ix.indnkeyatts
                   ORDER BY k.ord) AS columns,
             ix.indisprimary AS "isPrimary", ix.indpred IS NOT NULL AS "isPartial",
             pg_get_expr(ix.indpred, ix.indrelid) AS predicate
      FROM pg_index ix
      JOIN pg_class i ON i.oid = ix.indexrelid
      JOIN pg_class t ON t.oid = ix.indrelid
      JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE n.nspname = 'public' AND ix.indisunique
      ORDER BY 1, 2`);
    const foreignKeys = await client.query<TDbForeignKey>(`
      SELECT t.relname::text AS "table", con.conname::text AS name,
             ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)
                   JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum ORDER BY k.ord) AS columns,
             CASE WHEN rn.nspname = 'public' THEN rt.relname::text ELSE rn.nspname || '.' || rt.relname END AS "refTable",
             ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY AS k(attnum, ord)
                   JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum ORDER BY k.ord) AS "refColumns",
             con.confdeltype::text AS "onDelete", con.confupdtype::text AS "onUpdate"
      FROM pg_constraint con
      JOIN pg_class t ON t.oid = con.conrelid
      JOIN pg_namespace n ON n.oid = t.relnamespace
      JOIN pg_class rt ON rt.oid = con.confrelid
      JOIN pg_namespace rn ON rn.oid = rt.relnamespace
      WHERE con.contype = 'f' AND n.nspname = 'public'
      ORDER BY 1, 2`);
    return {
      tables: tables.rows.map((row) => row.name),
      columns: columns.rows,
      enums: enums.rows,
      uniques: uniques.rows,
      foreignKeys: foreignKeys.rows,
    };
  } finally {
    await client.end();
  }
}

// =============================================================================================
// The comparison: one list of exact mismatch messages per concern, empty when they agree.
// =============================================================================================

type TReport = { tables: string[]; columns: string[]; enums: string[]; uniques: string[]; foreignKeys: string[] };

/** pg_constraint.confdeltype / confupdtype -> Prisma's referential action names. */
const DB_ACTIONS: Record<string, string> = { a: "NoAction", r: "Restrict", c: "Cascade", n: "SetNull", d: "SetDefault" };

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((item, index) => item === b[index]);
const list = (items: readonly string[]) => items.join(", ");

function compareSchemas(prisma: TPrismaSchema, db: TDbSchema, partialExceptions: readonly TPartialUniqueException[]): TReport {
  const report: TReport = { tables: [], columns: [], enums: [], uniques: [], foreignKeys: [] };
  const dbTables = new Set(db.tables.filter((table) => table !== DBMATE_TABLE));

  // Tables, both ways.
  const modelByTable = new Map<string, TPrismaModel>();
  for (const model of prisma.models) {
    const other = modelByTable.get(model.dbName);
    if (other) report.tables.push(`table public.${model.dbName}: mapped by both ${other.name} and ${model.name}`);
    modelByTable.set(model.dbName, model);
    if (!dbTables.has(model.dbName)) report.tables.push(`model ${model.name}: table public.${model.dbName} does not exist in db`);
  }
  for (const table of dbTables) {
    if (!modelByTable.has(table)) report.tables.push(`table public.${table}: exists in db but no prisma model maps to it`);
  }
  // Everything below compares only tables present on both sides; the rest is reported above.
  const shared = prisma.models.filter((model) => dbTables.has(model.dbName));
  const sharedTables = new Set(shared.map((model) => model.dbName));
  const columnsOf = (model: TPrismaModel, fields: readonly string[]) => fields.map((name) => model.fields.find((field) => field.name === name)!.dbName);

  // Columns: type and nullability, both ways.
  for (const model of shared) {
    const dbColumns = new Map(db.columns.filter((column) => column.table === model.dbName).map((column) => [column.column, column]));
    const fieldByColumn = new Map<string, string>();
    for (const field of model.fields) {
      if (field.kind === "object") continue;
      const where = `${model.dbName}.${field.dbName}`;
      const other = fieldByColumn.get(field.dbName);
      if (other) report.columns.push(`${where}: mapped by both ${model.name}.${other} and ${model.name}.${field.name}`);
      fieldByColumn.set(field.dbName, field.name);
      const column = dbColumns.get(field.dbName);
      if (!column) {
        report.columns.push(`${where}: prisma field ${model.name}.${field.name} has no column in db`);
        continue;
      }
      const expected = prismaDbType(field, prisma.enums);
      const actual = normalizeDbType(column.type);
      if (expected !== actual) report.columns.push(`${where}: prisma ${expected} vs db ${actual}`);
      // Optional field <-> nullable column; a list field is never optional and must be NOT NULL.
      if (field.isOptional === column.notNull) {
        const prismaSide = field.isOptional ? "nullable (optional field)" : field.isList ? "NOT NULL (list field)" : "NOT NULL (required field)";
        report.columns.push(`${where}: prisma ${prismaSide} vs db ${column.notNull ? "NOT NULL" : "nullable"}`);
      }
    }
    for (const column of dbColumns.values()) {
      if (!fieldByColumn.has(column.column)) {
        report.columns.push(
          `${model.dbName}.${column.column}: db column (${column.type}${column.notNull ? " NOT NULL" : ""}) has no prisma field in ${model.name}`,
        );
      }
    }
  }

  // Enums: same labels in the same order, both ways.
  for (const item of prisma.enums) {
    const dbEnum = db.enums.find((candidate) => candidate.name === item.dbName);
    if (!dbEnum) report.enums.push(`enum ${item.name}: type ${item.dbName} does not exist in db`);
    else if (!sameList(item.dbValues, dbEnum.labels)) report.enums.push(`enum ${item.dbName}: prisma [${list(item.dbValues)}] vs db [${list(dbEnum.labels)}]`);
  }
  for (const dbEnum of db.enums) {
    if (!prisma.enums.some((item) => item.dbName === dbEnum.name)) report.enums.push(`enum ${dbEnum.name}: exists in db but no prisma enum maps to it`);
  }

  // Primary keys and unique keys, both ways. NULLS NOT DISTINCT is invisible to Prisma and not compared.
  for (const model of shared) {
    const table = model.dbName;
    const indexes = db.uniques.filter((index) => index.table === table);
    const dbPrimary = indexes.find((index) => index.isPrimary);
    if (model.primaryKey) {
      const columns = columnsOf(model, model.primaryKey.fields);
      if (!dbPrimary) report.uniques.push(`${table}: prisma ${model.primaryKey.source}(${list(columns)}) but db has no primary key`);
      else {
        if (!sameList(columns, dbPrimary.columns)) report.uniques.push(`${table}: primary key prisma (${list(columns)}) vs db (${list(dbPrimary.columns)})`);
        if (model.primaryKey.map && model.primaryKey.map !== dbPrimary.name) {
          report.uniques.push(`${table}: primary key name prisma "${model.primaryKey.map}" vs db "${dbPrimary.name}"`);
        }
      }
    } else if (dbPrimary) {
      report.uniques.push(`${table}: db primary key ${dbPrimary.name} (${list(dbPrimary.columns)}) has no prisma @id/@@id`);
    }

    const prismaUniques = model.uniques.map((unique) => ({ ...unique, columns: columnsOf(model, unique.fields) }));
    for (const unique of prismaUniques) {
      const label = `prisma ${unique.source}(${list(unique.columns)})`;
      const matches = indexes.filter((index) => !index.isPrimary && !index.isPartial && sameList(index.columns, unique.columns));
      if (matches.length === 0) {
        const partial = indexes.find((index) => index.isPartial && sameList(index.columns, unique.columns));
        const hint = partial ? ` (only the partial index ${partial.name} WHERE ${partial.predicate})` : "";
        report.uniques.push(`${table}: ${label} has no unique index or constraint on (${list(unique.columns)}) in db${hint}`);
      } else if (unique.map && !matches.some((index) => index.name === unique.map)) {
        report.uniques.push(`${table}: ${label} map "${unique.map}" vs db name "${matches.map((index) => index.name).join('", "')}"`);
      }
    }
    for (const index of indexes) {
      if (index.isPrimary || index.isPartial) continue; // primary key: above; partial: below
      if (!prismaUniques.some((unique) => sameList(unique.columns, index.columns))) {
        report.uniques.push(`${table}: db unique ${index.name} (${list(index.columns)}) has no prisma @unique/@@unique`);
      }
    }
  }
  for (const index of db.uniques) {
    if (!index.isPartial || index.table === DBMATE_TABLE) continue;
    if (!partialExceptions.some((exception) => exception.index === index.name)) {
      report.uniques.push(
        `${index.table}: partial unique index ${index.name} (${list(index.columns)}) WHERE ${index.predicate} cannot be expressed in prisma and is not a listed exception`,
      );
    }
  }
  for (const exception of partialExceptions) {
    const index = db.uniques.find((candidate) => candidate.name === exception.index);
    if (!index) report.uniques.push(`listed partial exception ${exception.index}: no such unique index in db`);
    else {
      if (!index.isPartial) report.uniques.push(`listed partial exception ${exception.index}: not partial in db, so prisma must declare it`);
      if (index.table !== exception.table || !sameList(index.columns, exception.columns)) {
        report.uniques.push(
          `listed partial exception ${exception.index}: listed on ${exception.table}(${list(exception.columns)}) vs db ${index.table}(${list(index.columns)})`,
        );
      }
    }
  }

  // Foreign keys, both ways: same columns, referenced table and columns, and referential actions.
  const fkLabel = (table: string, columns: readonly string[], refTable: string, refColumns: readonly string[]) =>
    `${table}(${list(columns)}) -> ${refTable}(${list(refColumns)})`;
  const unmatched = db.foreignKeys.filter((fk) => sharedTables.has(fk.table) && sharedTables.has(fk.refTable));
  for (const model of shared) {
    for (const field of model.fields) {
      const relation = field.relation;
      if (!relation?.fields || !relation.references) continue; // the other side of a relation holds no key
      const target = prisma.models.find((candidate) => candidate.name === field.type)!;
      if (!sharedTables.has(target.dbName)) continue;
      const label = fkLabel(model.dbName, columnsOf(model, relation.fields), target.dbName, columnsOf(target, relation.references));
      const index = unmatched.findIndex((fk) => fkLabel(fk.table, fk.columns, fk.refTable, fk.refColumns) === label);
      if (index === -1) {
        report.foreignKeys.push(`${label}: prisma relation ${model.name}.${field.name} has no foreign key in db`);
        continue;
      }
      const [fk] = unmatched.splice(index, 1);
      // Prisma's defaults when the schema does not say: onDelete Restrict for a required relation,
      // SetNull for an optional one; onUpdate Cascade.
      const optional = relation.fields.some((name) => model.fields.find((candidate) => candidate.name === name)!.isOptional);
      const onDelete = relation.onDelete ?? (optional ? "SetNull" : "Restrict");
      const onUpdate = relation.onUpdate ?? "Cascade";
      const dbOnDelete = DB_ACTIONS[fk!.onDelete] ?? fk!.onDelete;
      const dbOnUpdate = DB_ACTIONS[fk!.onUpdate] ?? fk!.onUpdate;
      if (onDelete !== dbOnDelete) report.foreignKeys.push(`${label}: onDelete prisma ${onDelete} vs db ${dbOnDelete} (${fk!.name})`);
      if (onUpdate !== dbOnUpdate) report.foreignKeys.push(`${label}: onUpdate prisma ${onUpdate} vs db ${dbOnUpdate} (${fk!.name})`);
    }
  }
  for (const fk of unmatched) {
    report.foreignKeys.push(`${fkLabel(fk.table, fk.columns, fk.refTable, fk.refColumns)}: db foreign key ${fk.name} has no prisma relation`);
  }
  return report;
}

function allMismatches(report: TReport): string[] {
  return Object.values(report).flat();
}

// =============================================================================================
// The tests.
// =============================================================================================

const schemaText = readFileSync(SCHEMA_PATH, "utf8");
let db: TDbSchema;
let prisma: TPrismaSchema;
let report: TReport;

beforeAll(async () => {
  db = await readDatabase(process.env.DATABASE_URL!);
  prisma = parsePrismaSchema(schemaText);
  report = compareSchemas(prisma, db, PARTIAL_UNIQUE_EXCEPTIONS);
});

describe("prisma/schema.prisma agrees with the migrated database", () => {
  it("reads a migrated database and a non-trivial schema", () => {
    expect(db.tables).toContain(DBMATE_TABLE);
    expect(db.tables.length).toBeGreaterThan(10);
    expect(prisma.models.length).toBeGreaterThan(10);
    expect(prisma.enums.length).toBeGreaterThan(5);
  });

  it("tables: every model has its table in public, every table in public has a model", () => {
    expect(report.tables).toEqual([]);
  });

  it("columns: every scalar field has its column with the same type and nullability, and vice versa", () => {
    expect(report.columns).toEqual([]);
  });

  it("enums: every prisma enum is a PostgreSQL enum with the same labels in the same order, and vice versa", () => {
    expect(report.enums).toEqual([]);
  });

  it("unique keys: every @id/@@id, @unique and @@unique exists in the db, and every non-partial unique index is declared", () => {
    expect(report.uniques).toEqual([]);
  });

  it("foreign keys: every relation with fields/references has its foreign key, and every foreign key has a relation", () => {
    expect(report.foreignKeys).toEqual([]);
  });
});

/** Replace `pattern` inside one model or enum block of the schema text; the anchor must match once. */
function editBlock(text: string, block: string, pattern: RegExp, replacement: string): string {
  const start = new RegExp(`^(model|enum) ${block} \\{$`, "m").exec(text);
  if (!start) throw new Error(`self-check anchor: no block ${block} in schema.prisma; update the self-check`);
  const end = text.indexOf("\n}", start.index);
  const body = text.slice(start.index, end);
  const matches = body.match(new RegExp(pattern.source, `${pattern.flags.replace("g", "")}g`)) ?? [];
  if (matches.length !== 1) throw new Error(`self-check anchor: ${pattern} matches ${matches.length} times in ${block}; update the self-check`);
  return text.slice(0, start.index) + body.replace(pattern, replacement) + text.slice(end);
}

describe("the agreement checker detects drift", () => {
  /** Mismatches that the edit adds to whatever the real schema reports. */
  function introducedBy(editedSchema: string, editedDb: TDbSchema = db, exceptions = PARTIAL_UNIQUE_EXCEPTIONS): string[] {
    const baseline = new Set(allMismatches(report));
    return allMismatches(compareSchemas(parsePrismaSchema(editedSchema), editedDb, exceptions)).filter((message) => !baseline.has(message));
  }

  it.each<[string, (text: string) => string, string[]]>([
    [
      "a changed native type",
      (text) => editBlock(text, "ClaimLine", /(^\s+units\s+Decimal\b.*@db\.Decimal)\(10, 2\)/m, "$1(12, 2)"),
      ["claim_lines.units: prisma numeric(12,2) vs db numeric(10,2)"],
    ],
    [
      "Json as json instead of jsonb",
      (text) => editBlock(text, "WebhookDelivery", /(^\s+payload\s+Json)$/m, "$1 @db.Json"),
      ["webhook_deliveries.payload: prisma json vs db jsonb"],
    ],
    [
      "a list field made scalar",
      (text) => editBlock(text, "AlertRule", /(^\s+emailRecipients\s+String)\[\]/m, "$1  "),
      ["alert_rules.email_recipients: prisma text vs db text[]"],
    ],
    [
      "a field dropped",
      (text) => editBlock(text, "AlertFeedback", /^\s+notes\s+String\?.*\n/m, ""),
      ["alert_feedback.notes: db column (text) has no prisma field in AlertFeedback"],
    ],
    [
      "a field added",
      (text) => editBlock(text, "Export", /(^\s+content\s+String\?.*\n)/m, '$1  summary String @map("summary")\n'),
      ["exports.summary: prisma field Export.summary has no column in db"],
    ],
    [
      "a field made optional",
      (text) => editBlock(text, "ClaimLine", /(^\s+billedAmount\s+Decimal) /m, "$1?"),
      ["claim_lines.billed_amount: prisma nullable (optional field) vs db NOT NULL"],
    ],
    [
      "an optional field made required",
      (text) => editBlock(text, "DriftEvent", /(^\s+resolvedAt\s+DateTime)\?/m, "$1 "),
      ["drift_events.resolved_at: prisma NOT NULL (required field) vs db nullable"],
    ],
    [
      "a table mapped to another name",
      (text) => editBlock(text, "Export", /@@map\("exports"\)/, '@@map("export")'),
      ["model Export: table public.export does not exist in db", "table public.exports: exists in db but no prisma model maps to it"],
    ],
    [
      "an enum value dropped",
      (text) => editBlock(text, "DeliveryStatus", /^\s+DEAD\n/m, ""),
      ["enum delivery_status: prisma [PENDING, DELIVERED, FAILED] vs db [PENDING, DELIVERED, FAILED, DEAD]"],
    ],
    [
      "enum values reordered",
      (text) => editBlock(text, "MemberRole", /^(\s+)VIEWER\n(\s+)ANALYST$/m, "$1ANALYST\n$2VIEWER"),
      ["enum member_role: prisma [ANALYST, VIEWER, ADMIN] vs db [VIEWER, ANALYST, ADMIN]"],
    ],
    [
      "a @@unique dropped",
      (text) => editBlock(text, "Membership", /^\s+@@unique\(\[customerId, userId\].*\n/m, ""),
      ["memberships: db unique memberships_customer_user_key (customer_id, user_id) has no prisma @unique/@@unique"],
    ],
    [
      "a @unique added",
      (text) => editBlock(text, "User", /(^\s+name\s+String\s+@default\(""\))/m, "$1 @unique"),
      ["users: prisma @unique(name) has no unique index or constraint on (name) in db"],
    ],
    [
      "a partial unique index declared as a full one",
      (text) => editBlock(text, "DetectionRun", /(^\s+@@map)/m, "  @@unique([customerId])\n$1"),
      [
        "detection_runs: prisma @@unique(customer_id) has no unique index or constraint on (customer_id) in db (only the partial index detection_runs_one_in_progress WHERE (status = ANY (ARRAY['QUEUED'::job_status, 'RUNNING'::job_status])))",
      ],
    ],
    [
      "a primary key in another column order",
      (text) => editBlock(text, "AlertRuleEndpoint", /@@id\(\[ruleId, endpointId\]\)/, "@@id([endpointId, ruleId])"),
      ["alert_rule_endpoints: primary key prisma (endpoint_id, rule_id) vs db (rule_id, endpoint_id)"],
    ],
    [
      "a relation pointing at other columns",
      (text) => editBlock(text, "ClaimLine", /(^\s+group\s+CptGroup\s+@relation\(fields: \[cptGroup\], references: )\[code\]/m, "$1[name]"),
      [
        "claim_lines(cpt_group) -> cpt_groups(name): prisma relation ClaimLine.group has no foreign key in db",
        "claim_lines(cpt_group) -> cpt_groups(code): db foreign key claim_lines_cpt_group_fkey has no prisma relation",
      ],
    ],
    [
      "a relation dropped",
      (text) => editBlock(text, "ApiKey", /^\s+createdBy\s+User\?.*\n/m, ""),
      ["api_keys(created_by_id) -> users(id): db foreign key api_keys_created_by_id_fkey has no prisma relation"],
    ],
    [
      "a changed referential action",
      (text) => editBlock(text, "Export", /(^\s+requestedBy\s+User\?.*onDelete: )SetNull/m, "$1Cascade"),
      ["exports(requested_by_id) -> users(id): onDelete prisma Cascade vs db SetNull (exports_requested_by_id_fkey)"],
    ],
  ])("in the schema text: %s", (_name, edit, expected) => {
    const edited = edit(schemaText);
    expect(edited).not.toBe(schemaText);
    expect(introducedBy(edited)).toEqual(expected);
  });

  it("on the database side: extra table, column, enum, unique keys and foreign key", () => {
    const edited = structuredClone(db);
    edited.tables.push("legacy_imports");
    edited.columns.push({ table: "claim_lines", column: "legacy_ref", type: "character varying(40)", notNull: true });
    edited.columns.push({ table: "payers", column: "name", type: "character varying(200)", notNull: false });
    edited.columns = edited.columns.filter((column) => !(column.table === "payers" && column.column === "name" && column.type === "text"));
    edited.enums.push({ name: "legacy_status", labels: ["OLD"] });
    edited.enums.find((item) => item.name === "drift_status")!.labels.push("SNOOZED");
    edited.uniques.push({ table: "uploads", name: "uploads_filename_key", columns: ["filename"], isPrimary: false, isPartial: false, predicate: null });
    edited.uniques.push({
      table: "uploads",
      name: "uploads_one_processing",
      columns: ["customer_id"],
      isPrimary: false,
      isPartial: true,
      predicate: "(status = 'PROCESSING'::upload_status)",
    });
    edited.foreignKeys.push({
      table: "exports",
      name: "exports_upload_fkey",
      columns: ["customer_id"],
      refTable: "uploads",
      refColumns: ["id"],
      onDelete: "c",
      onUpdate: "a",
    });
    const actions = edited.foreignKeys.find((fk) => fk.name === "memberships_user_id_fkey")!;
    actions.onUpdate = "c";
    edited.uniques = edited.uniques.filter((index) => index.name !== "customers_pkey");

    expect(introducedBy(schemaText, edited).sort()).toEqual(
      [
        "table public.legacy_imports: exists in db but no prisma model maps to it",
        "claim_lines.legacy_ref: db column (character varying(40) NOT NULL) has no prisma field in ClaimLine",
        "payers.name: prisma text vs db character varying(200)",
        "payers.name: prisma NOT NULL (required field) vs db nullable",
        "enum legacy_status: exists in db but no prisma enum maps to it",
        "enum drift_status: prisma [ACTIVE, RESOLVED] vs db [ACTIVE, RESOLVED, SNOOZED]",
        "customers: prisma @id(id) but db has no primary key",
        "uploads: db unique uploads_filename_key (filename) has no prisma @unique/@@unique",
        "uploads: partial unique index uploads_one_processing (customer_id) WHERE (status = 'PROCESSING'::upload_status) cannot be expressed in prisma and is not a listed exception",
        "exports(customer_id) -> uploads(id): db foreign key exports_upload_fkey has no prisma relation",
        "memberships(user_id) -> users(id): onUpdate prisma NoAction vs db Cascade (memberships_user_id_fkey)",
      ].sort(),
    );
  });

  it("in the list of partial exceptions: a full unique index, a missing index, wrong columns", () => {
    const exceptions: TPartialUniqueException[] = [
      { table: "customers", index: "customers_slug_key", columns: ["slug"] },
      { table: "claim_lines", index: "claim_lines_no_such_index", columns: ["id"] },
      { table: "drift_events", index: "drift_events_one_active", columns: ["customer_id", "payer_id"] },
      ...PARTIAL_UNIQUE_EXCEPTIONS.filter((exception) => exception.index !== "drift_events_one_active"),
    ];
    expect(introducedBy(schemaText, db, exceptions)).toEqual([
      "listed partial exception customers_slug_key: not partial in db, so prisma must declare it",
      "listed partial exception claim_lines_no_such_index: no such unique index in db",
      "listed partial exception drift_events_one_active: listed on drift_events(customer_id, payer_id) vs db drift_events(customer_id, payer_id, cpt_group, drift_type)",
    ]);
    const withoutOne = PARTIAL_UNIQUE_EXCEPTIONS.filter((exception) => exception.index !== "detection_runs_one_in_progress");
    expect(introducedBy(schemaText, db, withoutOne)).toEqual([
      "detection_runs: partial unique index detection_runs_one_in_progress (customer_id) WHERE (status = ANY (ARRAY['QUEUED'::job_status, 'RUNNING'::job_status])) cannot be expressed in prisma and is not a listed exception",
    ]);
  });
});

describe("the schema.prisma parser", () => {
  it("sees the same models, scalar fields and enum values as the generated Prisma client", () => {
    const stale = "src/generated/prisma is stale or the parser is wrong (regenerate with `node src/cli/generate-prisma-client.mjs`)";
    expect(prisma.models.map((model) => model.name).sort(), stale).toEqual(Object.values(Prisma.ModelName).sort());
    const fieldEnums = Prisma as unknown as Record<string, Record<string, string> | undefined>;
    for (const model of prisma.models) {
      const scalarFields = model.fields.filter((field) => field.kind !== "object").map((field) => field.name);
      expect(scalarFields, `${model.name}: ${stale}`).toEqual(Object.values(fieldEnums[`${model.name}ScalarFieldEnum`] ?? {}));
    }
    const enums = generatedEnums as unknown as Record<string, Record<string, string>>;
    expect(prisma.enums.map((item) => item.name).sort(), stale).toEqual(Object.keys(enums).sort());
    for (const item of prisma.enums) expect(item.values, `${item.name}: ${stale}`).toEqual(Object.values(enums[item.name] ?? {}));
  });

  it("reads fields, maps, native types, keys and relations", () => {
    const claimLine = prisma.models.find((model) => model.name === "ClaimLine")!;
    expect(claimLine.dbName).toBe("claim_lines");
    expect(claimLine.fields.find((field) => field.name === "units")).toEqual({
      name: "units",
      type: "Decimal",
      kind: "scalar",
      isList: false,
      isOptional: false,
      dbName: "units",
      nativeType: { name: "Decimal", args: ["10", "2"] },
    });
    expect(claimLine.fields.find((field) => field.name === "remarkCodes")).toMatchObject({ isList: true, dbName: "remark_codes" });
    expect(claimLine.uniques).toEqual([
      { fields: ["customerId", "submitterClaimId", "lineNumber"], map: "claim_lines_customer_claim_line_key", source: "@@unique" },
    ]);
    expect(claimLine.fields.find((field) => field.name === "upload")?.relation).toEqual({
      fields: ["customerId", "uploadId"],
      references: ["customerId", "id"],
      onDelete: "SetNull",
      onUpdate: "NoAction",
    });
    expect(prisma.models.find((model) => model.name === "AlertRuleEndpoint")!.primaryKey).toEqual({
      fields: ["ruleId", "endpointId"],
      map: undefined,
      source: "@@id",
    });
    expect(prisma.enums.find((item) => item.name === "MemberRole")).toEqual({
      name: "MemberRole",
      dbName: "member_role",
      values: ["VIEWER", "ANALYST", "ADMIN"],
      dbValues: ["VIEWER", "ANALYST", "ADMIN"],
    });
  });

  it.each([
    ["String", "text"],
    ["String @db.Uuid", "uuid"],
    ["String @db.VarChar(255)", "character varying(255)"],
    ["Int", "integer"],
    ["BigInt", "bigint"],
    ["Float", "double precision"],
    ["Boolean", "boolean"],
    ["DateTime @db.Timestamptz(6)", "timestamp with time zone"],
    ["DateTime @db.Timestamptz(3)", "timestamp(3) with time zone"],
    ["DateTime @db.Date", "date"],
    ["Decimal @db.Decimal(12, 2)", "numeric(12,2)"],
    ["Json", "jsonb"],
    ["Json @db.JsonB", "jsonb"],
    ["Json @db.Json", "json"],
    ["Role", "member_role"],
    ["String[]", "text[]"],
    ["Role[]", "member_role[]"],
  ])("maps %s to the db type %s", (declaration, expected) => {
    const parsed = parsePrismaSchema(`enum Role {\n  A\n  @@map("member_role")\n}\nmodel T {\n  id Int @id\n  value ${declaration}\n}\n`);
    expect(prismaDbType(parsed.models[0]!.fields[1]!, parsed.enums)).toBe(expected);
  });

  it.each([
    ["an unknown block", "view Totals {\n  id Int @id\n}\n", /unsupported block "view"/],
    ["an unknown attribute", 'model X {\n  id Int @id\n  @@schema("audit")\n}\n', /@@schema is outside the parser's subset/],
    ["an Unsupported type", 'model X {\n  id Int @id\n  geo Unsupported("geometry")\n}\n', /Unsupported/],
    ["an unknown type", "model X {\n  id Int @id\n  other Nope\n}\n", /unknown type Nope/],
    ["an unknown key field", "model X {\n  id Int @id\n  @@unique([nope])\n}\n", /X has no field nope/],
  ])("rejects %s instead of skipping it", (_name, extra, error) => {
    expect(() => parsePrismaSchema(`${schemaText}\n${extra}`)).toThrow(error);
  });
});
