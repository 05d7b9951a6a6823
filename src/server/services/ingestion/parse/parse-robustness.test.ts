import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseClaimsCsv, type TCsvItem } from "./parse-csv";
import { parseX12_835, type TX12ParseResult } from "./parse-x12-835";

/**
 * Uploads come from anywhere: mangled files must turn into lines and/or row errors, never an
 * exception that would surface as a 500 with no report for the user.
 */

const read = (path: string) => readFileSync(new URL(`./fixtures/${path}`, import.meta.url));
const CSV_SEEDS = ["csv/camel-case-iso.csv", "csv/row-errors.csv", "csv/snake-case-us-dates.csv"].map(read);
const X12_SEEDS = [
  "x12/basic-paid.835",
  "x12/alt-separators.835",
  "x12/multi-envelope.835",
  "x12/outcomes.835",
  "x12/reversal.835",
  "x12/dates-and-fallbacks.835",
].map((path) => read(path).toString("utf8"));

type TMutation = { at: number; byte: number; kind: "flip" | "insert" | "delete" };

const mutationArb = fc.record({
  at: fc.nat(),
  byte: fc.integer({ min: 0, max: 255 }),
  kind: fc.constantFrom("flip", "insert", "delete"),
}) as fc.Arbitrary<TMutation>;

function mutate(bytes: Uint8Array, mutations: readonly TMutation[]): Uint8Array {
  let out = Array.from(bytes);
  for (const { at, byte, kind } of mutations) {
    const index = out.length === 0 ? 0 : at % out.length;
    if (kind === "flip") out[index] = byte;
    else if (kind === "insert") out.splice(index, 0, byte);
    else out = out.filter((_, position) => position !== index);
  }
  return Uint8Array.from(out);
}

/** Splits bytes into chunks at the given cut points, so chunk boundaries land anywhere. */
function chunk(bytes: Uint8Array, cuts: readonly number[]): Buffer[] {
  const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let start = 0;
  for (const point of [...points, bytes.length]) {
    chunks.push(Buffer.from(bytes.subarray(start, point)));
    start = point;
  }
  return chunks;
}

async function collectCsv(chunks: Buffer[]): Promise<TCsvItem[]> {
  const items: TCsvItem[] = [];
  for await (const item of parseClaimsCsv(chunks)) items.push(item);
  return items;
}

function expectWellFormedCsv(items: TCsvItem[]) {
  for (const item of items) {
    expect(item.line).toBeGreaterThanOrEqual(1);
    if (item.kind === "error") {
      expect(typeof item.field).toBe("string");
      expect(item.message.length).toBeGreaterThan(0);
    } else {
      expect(item.kind).toBe("line");
    }
  }
  expect(items.length).toBeGreaterThan(0); // something is always said, if only "empty file"
}

function expectWellFormedX12(result: TX12ParseResult, text: string) {
  const maxLine = text.length + 1; // a segment number can never exceed the characters in the file
  for (const error of [...result.errors, ...result.skipped, ...result.warnings]) {
    expect(error.line).toBeGreaterThanOrEqual(1);
    expect(error.line).toBeLessThanOrEqual(maxLine);
    expect(error.message.length).toBeGreaterThan(0);
  }
  for (const { value } of result.lines) {
    // Output is already normalised; its money and dates must still be in canonical form.
    expect(value.billedAmount).toMatch(/^\d+\.\d{2}$/);
    expect(value.serviceDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(["PAID", "DENIED", "PARTIAL", "OTHER"]).toContain(value.outcome);
  }
}

describe("CSV parsing never throws on mangled input", () => {
  it("random byte flips, insertions, deletions and chunk boundaries", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...CSV_SEEDS),
        fc.array(mutationArb, { maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        async (seed, mutations, cuts) => {
          expectWellFormedCsv(await collectCsv(chunk(mutate(seed, mutations), cuts)));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("truncation anywhere", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...CSV_SEEDS), fc.nat(), async (seed, at) => {
        expectWellFormedCsv(await collectCsv([Buffer.from(seed.subarray(0, at % (seed.length + 1)))]));
      }),
      { numRuns: 200 },
    );
  });

  it("arbitrary bytes", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 400 }), async (bytes) => {
        expectWellFormedCsv(await collectCsv([Buffer.from(bytes)]));
      }),
      { numRuns: 200 },
    );
  });

  it("arbitrary text rows under a valid header", async () => {
    const header = "submitterClaimId,lineNumber,payerName,cptCode,serviceDate,submittedAt,decidedAt,billedAmount,outcome\n";
    await fc.assert(
      fc.asyncProperty(fc.array(fc.string({ maxLength: 80 }), { maxLength: 10 }), async (rows) => {
        expectWellFormedCsv(await collectCsv([Buffer.from(header + rows.join("\n"))]));
      }),
      { numRuns: 200 },
    );
  });
});

describe("X12 835 parsing never throws on mangled input", () => {
  it("random byte flips, insertions and deletions", () => {
    fc.assert(
      fc.property(fc.constantFrom(...X12_SEEDS), fc.array(mutationArb, { maxLength: 8 }), (seed, mutations) => {
        const text = Buffer.from(mutate(Buffer.from(seed, "utf8"), mutations)).toString("latin1");
        expectWellFormedX12(parseX12_835(text), text);
      }),
      { numRuns: 500 },
    );
  });

  // Reported = refused (errors), or applied with what was odd warned about or skipped: a cut
  // inside the last IEA leaves every claim intact and only its control number short.
  const reported = (result: ReturnType<typeof parseX12_835>) => result.errors.length + result.warnings.length + result.skipped.length;

  it("truncation anywhere except right after a complete IEA is always reported", () => {
    fc.assert(
      fc.property(fc.constantFrom(...X12_SEEDS), fc.nat(), (seed, at) => {
        const text = seed.slice(0, at % seed.length);
        // Cut exactly after an IEA, the file is a shorter but complete set of interchanges.
        const ends = [...seed.matchAll(/IEA[^~\n]*/g)].map((match) => match.index + match[0].length);
        fc.pre(!ends.includes(text.replace(/[~\s]+$/, "").length));
        const result = parseX12_835(text);
        expectWellFormedX12(result, text);
        expect(reported(result)).toBeGreaterThan(0);
        // A cut before the last IEA leaves a set, group or interchange unclosed: refused whole.
        if (!text.includes("IEA")) expect(result.errors.length).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
  });

  it("deleting any one segment is always reported (counts and envelopes catch it)", () => {
    fc.assert(
      fc.property(fc.constantFrom(...X12_SEEDS.filter((seed) => seed.includes("~"))), fc.nat(), (seed, at) => {
        const segments = seed.split("~");
        const target = at % (segments.length - 1); // the last piece is only the trailing newline
        const text = segments.filter((_, index) => index !== target).join("~");
        const result = parseX12_835(text);
        expectWellFormedX12(result, text);
        expect(reported(result)).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
  });

  it("deleting, duplicating and shuffling segments", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...X12_SEEDS),
        fc.array(fc.record({ at: fc.nat(), op: fc.constantFrom("delete", "duplicate", "swap") }), { maxLength: 6 }),
        (seed, operations) => {
          const terminator = seed.includes("~") ? "~" : "\n";
          const segments = seed.split(terminator);
          for (const { at, op } of operations) {
            const index = at % segments.length;
            const other = (at * 7 + 3) % segments.length;
            if (op === "delete") segments.splice(index, 1);
            else if (op === "duplicate") segments.splice(index, 0, segments[index] ?? "");
            else [segments[index], segments[other]] = [segments[other] ?? "", segments[index] ?? ""];
          }
          const text = segments.join(terminator);
          expectWellFormedX12(parseX12_835(text), text);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("arbitrary text, with or without an ISA in front", () => {
    const isa = X12_SEEDS[0]?.slice(0, 106) ?? "";
    fc.assert(
      fc.property(fc.boolean(), fc.string({ maxLength: 300 }), (withIsa, body) => {
        const text = withIsa ? isa + body : body;
        expectWellFormedX12(parseX12_835(text), text);
      }),
      { numRuns: 300 },
    );
  });
});
