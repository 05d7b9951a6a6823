import { z } from "zod";
import { fieldError } from "./errors";

/**
 * Shared list machinery (PRODUCT.md §6): cursor pagination over a unique sort key
 * `(sortField, id)` with an opaque cursor, or page numbers with totals; free-text `search`;
 * `ordering` from an allow-list (`-field` = descending). No list is ever unbounded.
 */

export const MAX_LIMIT = 100;

/** Flat query parameters, so the same schema serves tRPC input and REST query strings. */
export const ZListParams = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_LIMIT).optional(),
  cursor: z.string().max(500).optional(),
  page: z.coerce.number().int().min(1).max(1_000_000).optional(),
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

type TSortValue = string | number | null;

export function encodeCursor(sortValue: TSortValue, id: string): string {
  return Buffer.from(JSON.stringify([sortValue, id])).toString("base64url");
}

export function decodeCursor(cursor: string): { sortValue: TSortValue; id: string } {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as unknown;
    if (
      Array.isArray(parsed) &&
      parsed.length === 2 &&
      (typeof parsed[0] === "string" || typeof parsed[0] === "number" || parsed[0] === null) &&
      typeof parsed[1] === "string" &&
      /^[0-9a-f-]{36}$/i.test(parsed[1])
    ) {
      return { sortValue: parsed[0], id: parsed[1] };
    }
  } catch {
    // fall through to the field error
  }
  throw fieldError("cursor", "malformed cursor; use the nextCursor of a previous page");
}

export interface TOrdering {
  field: string;
  direction: "asc" | "desc";
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

type TRow = { id: string } & Record<string, unknown>;

function sortValueOf(row: TRow, field: string): TSortValue {
  const value = row[field];
  if (value instanceof Date) return value.toISOString();
  if (value === null || value === undefined) return null;
  if (typeof value === "number" || typeof value === "string") return value;
  return String(value);
}

function restoreSortValue(value: TSortValue, sample: "date" | "other"): unknown {
  return sample === "date" && typeof value === "string" ? new Date(value) : value;
}

/**
 * Runs a Prisma list in cursor or page mode. `findMany` and `count` are the model's own
 * functions (bound to a tenant-scoped client); `where` is the already-filtered condition;
 * `dateFields` names sort fields holding dates (cursors carry them as ISO strings).
 * Sort fields must be NOT NULL columns so `(field, id)` is a total order.
 */
export async function paginate<T extends TRow>(options: {
  params: TListParams;
  where: Record<string, unknown>;
  ordering: TOrdering;
  dateFields?: readonly string[];
  findMany: (args: { where: Record<string, unknown>; orderBy: Record<string, "asc" | "desc">[]; take: number; skip?: number }) => Promise<T[]>;
  count: (args: { where: Record<string, unknown> }) => Promise<number>;
}): Promise<TListResult<T>> {
  const { params, where, ordering } = options;
  const orderBy = [{ [ordering.field]: ordering.direction }, { id: ordering.direction }];
  if (params.page !== undefined || params.pageSize !== undefined) {
    if (params.cursor) throw fieldError("cursor", "use either cursor or page, not both");
    const page = params.page ?? 1;
    const pageSize = params.pageSize ?? 50;
    const [items, total] = await Promise.all([
      options.findMany({ where, orderBy, take: pageSize, skip: (page - 1) * pageSize }),
      options.count({ where }),
    ]);
    return { items, page, pageSize, total, totalPages: Math.ceil(total / pageSize) };
  }

  const limit = params.limit ?? 50;
  let cursorWhere = where;
  if (params.cursor) {
    const { sortValue, id } = decodeCursor(params.cursor);
    const kind = options.dateFields?.includes(ordering.field) ? "date" : "other";
    const value = restoreSortValue(sortValue, kind);
    if (kind === "date" && Number.isNaN((value as Date).getTime())) throw fieldError("cursor", "malformed cursor");
    const beyond = ordering.direction === "asc" ? "gt" : "lt";
    // The redundant bound (field <= value for a descending walk) lets PostgreSQL start the index
    // scan at the cursor: with the OR alone it reads from the first row and filters, so the work
    // grows with depth (npm run bench:read, row 10,000 of 300,000: 9,950 rows removed by filter
    // and 2.3 ms without the bound; 496 rows, those of the cursor's own day, and 0.4 ms with it).
    const bound = value === null ? [] : [{ [ordering.field]: { [beyond === "gt" ? "gte" : "lte"]: value } }];
    cursorWhere = {
      AND: [where, ...bound, { OR: [{ [ordering.field]: { [beyond]: value } }, { [ordering.field]: value, id: { [beyond]: id } }] }],
    };
  }
  const rows = await options.findMany({ where: cursorWhere, orderBy, take: limit + 1 });
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  const nextCursor = rows.length > limit && last ? encodeCursor(sortValueOf(last, ordering.field), last.id) : null;
  return { items, nextCursor };
}

