import { z } from "zod";
import { fieldError } from "./errors";

/**
 * Shared list machinery (PRODUCT.md §6): cursor pagination over a unique sort key
 * `(sortField, id)` with an opaque cursor, or page numbers with totals; free-text `search`;
 * `ordering` from an allow-list (`-field` = descending). No list is ever unbounded.
 */

export const MAX_LIMIT = 100;
/**
 * The deepest row page mode reaches (page × pageSize): OFFSET makes PostgreSQL read and discard
 * every row before the page, so a deep page costs what the whole list costs. Deeper walks use
 * the cursor, whose cost does not grow with depth.
 */
export const MAX_PAGE_DEPTH = 10_000;

/** Flat query parameters, so the same schema serves tRPC input and REST query strings. */
export const ZListParams = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_LIMIT).optional(),
  cursor: z.string().max(12_000).optional().describe("Cursor mode: the nextCursor of the previous page, under the same ordering (a 400 otherwise)."),
  page: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_PAGE_DEPTH)
    .optional()
    .describe("Page mode: page number from 1; page × pageSize may not exceed 10,000 rows (walk deeper with cursor)."),
  pageSize: z.coerce.number().int().min(1).max(MAX_LIMIT).optional(),
  search: z.string().trim().max(200).optional(),
  ordering: z.string().max(64).optional(),
});
export type TListParams = z.infer<typeof ZListParams>;

/**
 * Free text for Prisma's `contains` / `startsWith`, which hand it to LIKE unescaped: without
 * this, a search for "%" or "_" matches every row and one ending in "\\" matches nothing.
 * Every list service passes `search` through it.
 */
export function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, "\\$&");
}

export function ZListOutput<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    nextCursor: z.string().nullable().optional().describe("Cursor mode: pass as `cursor` for the next page; null at the end."),
    page: z.number().int().optional(),
    pageSize: z.number().int().optional(),
    total: z.number().int().optional(),
    totalPages: z.number().int().optional(),
  });
}

export interface TListResult<T> {
  items: T[];
  nextCursor?: string | null;
  page?: number;
  pageSize?: number;
  total?: number;
  totalPages?: number;
}

/**
 * What a list sorts by: each allowed `ordering` field with the type of its column, and the
 * ordering used when the caller names none. The types are what a cursor's sort value is checked
 * against, so a forged cursor is a 400 and never reaches the database as the wrong type.
 */
export type TSortKind = "timestamp" | "number" | "text";
export interface TSort {
  keys: Readonly<Record<string, TSortKind>>;
  /** e.g. "-createdAt" (descending) or "name". */
  fallback: string;
}

type TSortValue = string | number;

const CURSOR_HINT = "use the nextCursor of a previous page, with the same ordering";

// Sort values as the columns hold them: a timestamp as the ISO text toISOString writes, a finite
// number (JSON turns 1e309 into Infinity), text PostgreSQL can store (no NUL character).
const SORT_VALUE: Record<TSortKind, z.ZodType<TSortValue>> = {
  timestamp: z.iso.datetime({ precision: 3 }),
  number: z.number().finite(),
  text: z
    .string()
    .max(4096)
    .refine((text) => !text.includes("\u0000")),
};

/**
 * A cursor is base64url of `[ordering, sortValue, id]`: the ordering it was made under (field and
 * direction, e.g. "-createdAt"), the last row's value of that field, and its id. Recording the
 * ordering lets a cursor reused under another ordering be refused instead of its value being
 * compared with a different column. Filters are not recorded: `(field, id)` is a total order over
 * the whole table, so a cursor marks the same position whatever the filter.
 */
export function encodeCursor(ordering: TOrdering, sortValue: TSortValue, id: string): string {
  return Buffer.from(JSON.stringify([orderingText(ordering), sortValue, id])).toString("base64url");
}

const ZCursor = z.tuple([z.string(), z.unknown(), z.guid()]);

/** Decodes and checks a cursor against the list's ordering and sort-key type; a 400 naming `cursor` otherwise. */
export function decodeCursor(cursor: string, ordering: TOrdering, kind: TSortKind): { sortValue: TSortValue; id: string } {
  let json: unknown;
  try {
    // Buffer.from ignores characters outside the alphabet; refuse them instead of guessing.
    if (!/^[A-Za-z0-9_-]*$/.test(cursor)) throw new Error("not base64url");
    json = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw fieldError("cursor", `malformed cursor; ${CURSOR_HINT}`);
  }
  const parsed = ZCursor.safeParse(json);
  if (!parsed.success) throw fieldError("cursor", `malformed cursor; ${CURSOR_HINT}`);
  const [madeUnder, sortValue, id] = parsed.data;
  const expected = orderingText(ordering);
  if (madeUnder !== expected) {
    throw fieldError(
      "cursor",
      `this cursor was made for ordering "${madeUnder.slice(0, 64)}", not "${expected}"; send that ordering or start again without a cursor`,
    );
  }
  const value = SORT_VALUE[kind].safeParse(sortValue);
  if (!value.success) throw fieldError("cursor", `malformed cursor: its sort value is not a ${kind}; ${CURSOR_HINT}`);
  return { sortValue: value.data, id };
}

export interface TOrdering {
  field: string;
  direction: "asc" | "desc";
}

function orderingText(ordering: TOrdering): string {
  return `${ordering.direction === "desc" ? "-" : ""}${ordering.field}`;
}

/** Parses `ordering` against the allow-list; the first allowed entry is the default. */
export function parseOrdering(ordering: string | undefined, allowed: readonly string[], fallback: TOrdering): TOrdering {
  if (!ordering) return fallback;
  const direction = ordering.startsWith("-") ? "desc" : "asc";
  const field = ordering.replace(/^-/, "");
  if (!allowed.includes(field)) {
    throw fieldError("ordering", `must be one of ${allowed.flatMap((f) => [f, `-${f}`]).join(", ")}`);
  }
  return { field, direction };
}

function orderingOf(text: string): TOrdering {
  return { field: text.replace(/^-/, ""), direction: text.startsWith("-") ? "desc" : "asc" };
}

type TRow = { id: string } & Record<string, unknown>;

function sortValueOf(row: TRow, field: string): TSortValue {
  const value = row[field];
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "number" || typeof value === "string") return value;
  // A sort field is a NOT NULL column of one of the TSortKind types; anything else is a bug here.
  throw new Error(`list sort field ${field} holds ${value === null ? "null" : typeof value}`);
}

/**
 * Runs a Prisma list in cursor or page mode. `findMany` and `count` are the model's own
 * functions (bound to a tenant-scoped client); `where` is the already-filtered condition; `sort`
 * names the allowed orderings with their column types (see TSort). Sort fields must be NOT NULL
 * columns so `(field, id)` is a total order.
 */
export async function paginate<T extends TRow>(options: {
  params: TListParams;
  where: Record<string, unknown>;
  sort: TSort;
  findMany: (args: { where: Record<string, unknown>; orderBy: Record<string, "asc" | "desc">[]; take: number; skip?: number }) => Promise<T[]>;
  count: (args: { where: Record<string, unknown> }) => Promise<number>;
}): Promise<TListResult<T>> {
  const { params, where, sort } = options;
  const ordering = parseOrdering(params.ordering, Object.keys(sort.keys), orderingOf(sort.fallback));
  const orderBy = [{ [ordering.field]: ordering.direction }, { id: ordering.direction }];
  if (params.page !== undefined || params.pageSize !== undefined) {
    if (params.cursor) throw fieldError("cursor", "use either cursor or page, not both");
    const page = params.page ?? 1;
    const pageSize = params.pageSize ?? 50;
    if (page * pageSize > MAX_PAGE_DEPTH) {
      throw fieldError(
        "page",
        `page × pageSize may not exceed ${MAX_PAGE_DEPTH} rows (here at most page ${Math.floor(MAX_PAGE_DEPTH / pageSize)}); walk deeper with cursor`,
      );
    }
    const [items, total] = await Promise.all([options.findMany({ where, orderBy, take: pageSize, skip: (page - 1) * pageSize }), options.count({ where })]);
    return { items, page, pageSize, total, totalPages: Math.ceil(total / pageSize) };
  }

  const limit = params.limit ?? 50;
  let cursorWhere = where;
  if (params.cursor) {
    const kind = sort.keys[ordering.field]!;
    const { sortValue, id } = decodeCursor(params.cursor, ordering, kind);
    const value = kind === "timestamp" ? new Date(sortValue) : sortValue;
    const beyond = ordering.direction === "asc" ? "gt" : "lt";
    // The redundant bound (field <= value for a descending walk) lets PostgreSQL start the index
    // scan at the cursor: with the OR alone it reads from the first row and filters, so the work
    // grows with depth (npm run bench:read, row 10,000 of 300,000: 9,950 rows removed by filter
    // and 2.3 ms without the bound; 496 rows, those of the cursor's own day, and 0.4 ms with it).
    const bound = { [ordering.field]: { [beyond === "gt" ? "gte" : "lte"]: value } };
    cursorWhere = {
      AND: [where, bound, { OR: [{ [ordering.field]: { [beyond]: value } }, { [ordering.field]: value, id: { [beyond]: id } }] }],
    };
  }
  const rows = await options.findMany({ where: cursorWhere, orderBy, take: limit + 1 });
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  const nextCursor = rows.length > limit && last ? encodeCursor(ordering, sortValueOf(last, ordering.field), last.id) : null;
  return { items, nextCursor };
}
