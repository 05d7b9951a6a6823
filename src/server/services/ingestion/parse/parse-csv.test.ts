import { createReadStream } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { CSV_COLUMNS, csvTemplate, parseClaimsCsv, type TCsvItem } from "./parse-csv";

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/csv/${name}`, import.meta.url));

async function collect(source: Parameters<typeof parseClaimsCsv>[0]): Promise<TCsvItem[]> {
  const items: TCsvItem[] = [];
  for await (const item of parseClaimsCsv(source)) items.push(item);
  return items;
}

const errorsOf = (items: TCsvItem[]) => items.filter((item) => item.kind === "error");
const linesOf = (items: TCsvItem[]) => items.flatMap((item) => (item.kind === "line" ? [item] : []));

const HEADER = "submitterClaimId,lineNumber,payerName,cptCode,serviceDate,submittedAt,decidedAt,billedAmount,outcome";
const ROW = "CLM-1,1,Aetna,99213,2024-03-05,2024-03-07,2024-03-28,100.00,PAID";

describe("parseClaimsCsv: headers", () => {
  it("reads camelCase headers, ISO dates and $1,234.50 money", async () => {
    const items = await collect(createReadStream(fixture("camel-case-iso.csv")));
    expect(errorsOf(items)).toEqual([]);
    expect(linesOf(items).map((item) => [item.line, item.value])).toEqual([
      [
        2,
        {
          submitterClaimId: "CLM-1",
          lineNumber: 1,
          payerName: "United Healthcare",
          cptCode: "99213",
          units: 1,
          serviceDate: "2024-03-05",
          submittedAt: "2024-03-07",
          decidedAt: "2024-03-28",
          paidAt: "2024-04-01",
          billedAmount: "1234.50",
          allowedAmount: "980.00",
          paidAmount: "784.00",
          outcome: "PARTIAL",
          denialReason: { group: "CO", code: "97" },
          remarkCodes: ["N130", "MA01"],
          payerClaimNumber: "ICN-1",
          patientAccount: "ACCT-1",
        },
      ],
      [
        3,
        {
          submitterClaimId: "CLM-1",
          lineNumber: 2,
          payerName: "United Healthcare",
          cptCode: "G0101",
          units: 1, // empty cell = not given = default
          serviceDate: "2024-03-05",
          submittedAt: "2024-03-07",
          decidedAt: "2024-03-28",
          billedAmount: "150.00",
          paidAmount: "0.00",
          outcome: "DENIED",
          denialReason: { group: "CO", code: "50" },
          payerClaimNumber: "ICN-1",
        },
      ],
    ]);
  });

  it("reads snake_case / upper / spaced headers, US dates and CRLF lines", async () => {
    const items = await collect(createReadStream(fixture("snake-case-us-dates.csv")));
    expect(errorsOf(items)).toEqual([]);
    const lines = linesOf(items);
    expect(lines.map((item) => item.line)).toEqual([2, 3]);
    expect(lines[0]?.value).toMatchObject({
      submitterClaimId: "A-100",
      cptCode: "99214",
      serviceDate: "2024-03-05",
      submittedAt: "2024-03-07",
      decidedAt: "2024-03-28",
      billedAmount: "1200.00",
      paidAmount: "950.50",
      outcome: "PAID",
    });
    expect(lines[1]?.value).toMatchObject({ cptCode: "0001U", serviceDate: "2023-12-31", billedAmount: "0.99", outcome: "OTHER" });
  });

  it("names an unknown column on line 1", async () => {
    const items = await collect(createReadStream(fixture("unknown-column.csv")));
    expect(items).toEqual([{ kind: "error", line: 1, field: "patientName", message: expect.stringContaining("unknown column") }]);
  });

  it("names every missing required column", async () => {
    const items = await collect(createReadStream(fixture("missing-columns.csv")));
    expect(items).toEqual([
      { kind: "error", line: 1, field: "decidedAt", message: "missing required column decidedAt" },
      { kind: "error", line: 1, field: "outcome", message: "missing required column outcome" },
    ]);
  });

  it("rejects a column given twice under two spellings", async () => {
    const items = await collect([`${HEADER},billed_amount\n${ROW},1\n`]);
    expect(items).toEqual([{ kind: "error", line: 1, field: "billed_amount", message: expect.stringContaining("more than once") }]);
  });

  it("explains a semicolon-separated file in one error", async () => {
    const items = await collect([`${HEADER.replaceAll(",", ";")}\n${ROW.replaceAll(",", ";")}\n`]);
    expect(items).toEqual([{ kind: "error", line: 1, field: expect.any(String), message: expect.stringContaining("comma-separated") }]);
  });

  it("takes the first non-empty row as the header and counts the blank lines", async () => {
    const items = await collect([`\n\n${HEADER}\n${ROW}\n`]);
    expect(items).toEqual([{ kind: "line", line: 4, value: expect.objectContaining({ submitterClaimId: "CLM-1" }) }]);
  });

  it("accepts a UTF-8 byte-order mark before the header", async () => {
    const items = await collect([Buffer.from(`\uFEFF${HEADER}\n${ROW}\n`, "utf8")]);
    expect(errorsOf(items)).toEqual([]);
  });
});

describe("parseClaimsCsv: rows", () => {
  it("reports bad values with their line and column, and keeps going", async () => {
    const items = await collect(createReadStream(fixture("row-errors.csv")));
    expect(
      items.map((item) => (item.kind === "line" ? ["line", item.line, item.value.submitterClaimId] : ["error", item.line, item.field, item.message])),
    ).toEqual([
      ["line", 2, "OK-1"],
      ["error", 3, "serviceDate", "not a valid date: use YYYY-MM-DD, ISO 8601 or MM/DD/YYYY"],
      ["error", 4, "billedAmount", "negative amounts are not allowed"],
      // A quoted multi-line cell: the row is reported where it starts.
      ["error", 5, "submitterClaimId", "must not contain control characters"],
      ["error", 5, "decidedAt", "decision date is before the submission date"],
      ["error", 5, "paidAmount", "paid amount is more than the billed amount"],
      ["line", 7, "OK-2"],
    ]);
  });

  it("names the column as the file spells it", async () => {
    const items = await collect([
      `submitter_claim_id,line_number,payer_name,cpt_code,service_date,submitted_at,decided_at,billed_amount,outcome\nA,1,Aetna,99213,13/01/2024,2024-03-07,2024-03-28,$1.005,PAID\n`,
    ]);
    expect(errorsOf(items)).toEqual([
      { kind: "error", line: 2, field: "service_date", message: expect.stringContaining("not a valid date") },
      { kind: "error", line: 2, field: "billed_amount", message: "more than two decimal places" },
    ]);
  });

  it("rejects rows with missing or extra values but tolerates trailing empty cells", async () => {
    const items = await collect([`${HEADER}\n${ROW},,\nCLM-2,1,Aetna\n${ROW},extra\n`]);
    expect(items.map((item) => [item.kind, item.line])).toEqual([
      ["line", 2],
      ["error", 3],
      ["error", 4],
    ]);
    expect(errorsOf(items)[0]).toMatchObject({ field: "row", message: "row has 3 fields, the header has 9" });
  });

  it("skips rows that are only separators", async () => {
    const items = await collect([`${HEADER}\n,,,,,,,,\n${ROW}\n`]);
    expect(items).toEqual([{ kind: "line", line: 3, value: expect.anything() }]);
  });

  it("reports an unclosed quote once instead of swallowing the file", async () => {
    const items = await collect([`${HEADER}\n${ROW}\n"CLM-2,1,Aetna\n${ROW}\n`]);
    expect(items.map((item) => item.kind)).toEqual(["line", "error"]);
    expect(errorsOf(items)[0]).toMatchObject({ field: "row", message: "a quoted value is never closed" });
  });

  it("produces the same result however the bytes are chunked, even inside a UTF-8 character", async () => {
    const text = `${HEADER}\nCLM-1,1,Sociedad Médica,99213,2024-03-05,2024-03-07,2024-03-28,100.00,PAID\n`;
    const bytes = Buffer.from(text, "utf8");
    async function* oneByteAtATime() {
      for (const byte of bytes) yield Buffer.from([byte]);
    }
    const items = await collect(oneByteAtATime());
    expect(items).toEqual(await collect([bytes]));
    expect(linesOf(items)[0]?.value.payerName).toBe("Sociedad Médica");
  });
});

describe("parseClaimsCsv: whole-file problems", () => {
  it("rejects an empty file", async () => {
    expect(await collect(createReadStream(fixture("empty.csv")))).toEqual([
      { kind: "error", line: 1, field: "file", message: expect.stringContaining("empty") },
    ]);
  });

  it("treats a file of blank lines as empty", async () => {
    expect(errorsOf(await collect(createReadStream(fixture("blank-lines.csv"))))).toEqual([
      { kind: "error", line: 1, field: "file", message: expect.stringContaining("empty") },
    ]);
  });

  it("rejects a header with no claim lines", async () => {
    expect(await collect([`${HEADER}\n`])).toEqual([{ kind: "error", line: 2, field: "file", message: "no claim lines after the header row" }]);
  });

  it.each([
    ["a zip/xlsx (NUL bytes)", Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00])],
    ["Latin-1 / invalid UTF-8", Buffer.from([0x63, 0x6c, 0x61, 0x69, 0x6d, 0xe9, 0x2c, 0x31, 0x0a])],
    ["a PNG", Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])],
  ])("rejects %s as not a text file", async (_name, bytes) => {
    expect(await collect([bytes])).toEqual([{ kind: "error", line: 1, field: "file", message: expect.stringContaining("not a text file") }]);
  });

  it("rejects invalid UTF-8 later in the file without throwing", async () => {
    const items = await collect([Buffer.from(`${HEADER}\n${ROW}\n`), Buffer.from([0xff, 0xfe, 0x0a])]);
    expect(items.at(-1)).toMatchObject({ kind: "error", field: "file", message: expect.stringContaining("UTF-8") });
  });

  it("passes a failing source's own error through (an I/O failure is not bad content)", async () => {
    async function* failing() {
      yield Buffer.from(`${HEADER}\n${ROW}\n`);
      throw new Error("connection reset");
    }
    await expect(collect(failing())).rejects.toThrow("connection reset");
  });

  it("streams: rows come out while the source is still producing, without reading it all", async () => {
    let produced = 0;
    async function* endless() {
      yield `${HEADER}\n`;
      for (;;) {
        produced += 1;
        yield `CLM-${produced},1,Aetna,99213,2024-03-05,2024-03-07,2024-03-28,100.00,PAID\n`;
      }
    }
    let seen = 0;
    for await (const item of parseClaimsCsv(endless())) {
      expect(item.kind).toBe("line");
      seen += 1;
      if (seen === 2_000) break;
    }
    // Only a bounded read-ahead beyond what was consumed (stream buffers), never the whole source.
    expect(produced).toBeLessThan(seen + 1_000);
  });
});

describe("CSV template", () => {
  it("documents every column with a description and whether it is required", () => {
    expect(CSV_COLUMNS.filter((column) => column.required).map((column) => column.name)).toEqual([
      "submitterClaimId",
      "lineNumber",
      "payerName",
      "cptCode",
      "serviceDate",
      "submittedAt",
      "decidedAt",
      "billedAmount",
      "outcome",
    ]);
    for (const column of CSV_COLUMNS) expect(column.description.length).toBeGreaterThan(10);
  });

  it("is a header plus one example row that parses cleanly", async () => {
    const template = csvTemplate();
    expect(template.trimEnd().split("\r\n")).toHaveLength(2);
    const items = await collect([template]);
    expect(items).toEqual([{ kind: "line", line: 2, value: expect.objectContaining({ billedAmount: "1234.50" }) }]);
  });
});
