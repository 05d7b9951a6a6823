import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { csvParseRecords, csvRecords, type TCsvReadState } from "./csv-records";

/**
 * The quote-free splitter must read exactly what csv-parse reads: the same records with the
 * same cells and start lines, the same first syntax error at the same line, the same line count
 * at the end. csv-parse alone (the options of csvParseRecords, which parse-csv.ts used before the
 * splitter) is the reference; texts are drawn from claims-like rows (plain, quoted with commas,
 * escaped quotes and line breaks inside) mixed with the characters that matter to either reader
 * (CR, LF, CRLF, quotes in odd places, trimmable Unicode spaces, BOMs), delivered in random chunks.
 */

async function readAll(reader: (text: AsyncIterable<string>, state: TCsvReadState) => AsyncIterable<{ cells: string[]; line: number }>, chunks: string[]) {
  const state: TCsvReadState = { syntaxErrors: [], lines: 0 };
  const records: { cells: string[]; line: number }[] = [];
  for await (const record of reader(
    (async function* () {
      yield* chunks;
    })(),
    state,
  ))
    records.push(record);
  // What parse-csv.ts acts on: the records before the first syntax error, that error, and the
  // line count when there was none. (After an error csv-parse's further errors depend on where
  // its input chunks happen to end, so two csv-parse runs may differ there too.)
  const first = state.syntaxErrors[0];
  if (!first) return { records, error: null, lines: state.lines };
  return { records: records.filter((record) => record.line < first.line), error: { line: first.line, code: first.error.code } };
}

const MAX = 300; // small, so overlong records are drawn too
const fast = (text: AsyncIterable<string>, state: TCsvReadState) => csvRecords(text, state, { maxRecordChars: MAX });
const reference = (text: AsyncIterable<string>, state: TCsvReadState) => csvParseRecords(text, state, { maxRecordChars: MAX });

const plainCell = fc.stringMatching(/^[A-Za-z0-9 .\-/$]{0,12}$/);
const oddChar = fc.constantFrom("\r", "\n", "\r\n", '"', " ", "\t", "\u00a0", "\u2028", "\uFEFF", "é", "\uD83D\uDE00", "\u000b", "\f", ",");
const messyCell = fc.array(fc.oneof({ weight: 4, arbitrary: plainCell }, { weight: 1, arbitrary: oddChar }), { maxLength: 4 }).map((parts) => parts.join(""));
const quotedCell = fc.array(fc.oneof(plainCell, fc.constantFrom(",", '""', "\n", "\r\n", " ")), { maxLength: 4 }).map((parts) => `"${parts.join("")}"`);
const cell = fc.oneof({ weight: 8, arbitrary: plainCell }, { weight: 2, arbitrary: quotedCell }, { weight: 1, arbitrary: messyCell });
const row = fc.array(cell, { minLength: 1, maxLength: 6 }).map((cells) => cells.join(","));
const longRow = fc.constantFrom("x".repeat(MAX), `a,"${"y".repeat(MAX)}"`, `"${"z".repeat(MAX / 2)}`);

const text = fc
  .record({
    bom: fc.boolean(),
    lineBreak: fc.constantFrom("\n", "\r\n", "\r"),
    rows: fc.array(fc.oneof({ weight: 12, arbitrary: row }, { weight: 1, arbitrary: fc.constantFrom("", "  ", " , ") }, { weight: 1, arbitrary: longRow }), {
      maxLength: 12,
    }),
    trailingBreak: fc.boolean(),
  })
  .map(({ bom, lineBreak, rows, trailingBreak }) => `${bom ? "\uFEFF" : ""}${rows.join(lineBreak)}${trailingBreak ? lineBreak : ""}`);

function chunked(value: string, cuts: number[]): string[] {
  const points = [...new Set(cuts.map((cut) => Math.floor(cut * value.length)))].sort((a, b) => a - b);
  const chunks: string[] = [];
  let start = 0;
  for (const point of points) {
    if (point > start) chunks.push(value.slice(start, point));
    start = Math.max(start, point);
  }
  chunks.push(value.slice(start));
  return chunks.filter((chunk) => chunk !== "");
}

describe("csvRecords (quote-free fast path) reads what csv-parse reads", () => {
  it("records, start lines, the first syntax error and the line count agree on any text and chunking", async () => {
    await fc.assert(
      fc.asyncProperty(text, fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 5 }), async (value, cuts) => {
        const chunks = chunked(value, cuts);
        expect(await readAll(fast, chunks)).toEqual(await readAll(reference, chunks));
      }),
      { numRuns: 1500 },
    );
  });

  it("a claims file of quote-free lines with a few quoted payer names: same records", async () => {
    const lines = ["submitterClaimId,lineNumber,payerName,cptCode"];
    for (let i = 0; i < 400; i += 1) lines.push(i % 37 === 0 ? `CLM-${i},1,"Blue Cross, Blue Shield",99213` : `CLM-${i},${(i % 3) + 1}, Aetna ,99214`);
    for (const lineBreak of ["\n", "\r\n"]) {
      const value = lines.join(lineBreak) + lineBreak;
      const chunks = chunked(value, [0.1, 0.33, 0.5, 0.77]);
      const read = await readAll(fast, chunks);
      expect(read).toEqual(await readAll(reference, chunks));
      expect(read.records).toHaveLength(401);
      expect(read.records[1]).toEqual({ cells: ["CLM-0", "1", "Blue Cross, Blue Shield", "99213"], line: 2 });
    }
  });
});
