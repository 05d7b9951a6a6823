import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/server/db/client";
import { createTestTenant } from "@/test/factories";
import { startIngestRestServer, type TIngestRestServer } from "@/test/ingest-rest-server";

/**
 * Conformance over public 835 files written by other projects for their own parsers' tests
 * (../shared/corpus/x12-835, read in place, never copied here). Each goes through
 * POST /api/v1/uploads against the real server and database, one tenant per file. The expected
 * outcome of each file is written below with its reason; where the corpus's own MANIFEST.json
 * (produced by its independent counter, count.mjs) states a fact that bears on it, the result
 * is checked against that fact too.
 */

const CORPUS = path.resolve(process.cwd(), "../shared/corpus/x12-835");
const present = existsSync(path.join(CORPUS, "MANIFEST.json"));
if (!present) console.warn(`x12-835 corpus not found at ${CORPUS}: conformance suite skipped`);

type TManifest = { file: string; svcCount: number; clpCount: number; sumSVC03: string; seCountMismatches: string[]; hasPLB: boolean };
const manifest = (file: string): TManifest => {
  const all = JSON.parse(readFileSync(path.join(CORPUS, "MANIFEST.json"), "utf8")) as TManifest[];
  return all.find((entry) => entry.file === file)!;
};

type TExpected = {
  status: "APPLIED" | "REJECTED";
  lines: number;
  skipped: number;
  warnings: number;
  why: string;
  /** Extra checks against the stored lines and MANIFEST facts. */
  check?: (result: TResult) => void | Promise<void>;
};
type TResult = {
  upload: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  stored: {
    cptCode: string | null;
    cptGroup: string;
    units: string;
    outcome: string;
    paidAmount: string | null;
    submittedAt: Date | null;
    submittedCptCode: string | null;
    facilityType: string | null;
  }[];
  adjustments: number;
  facts: TManifest;
};

const sumPaid = (result: TResult) => result.stored.reduce((sum, line) => sum + Math.round(Number(line.paidAmount ?? 0) * 100), 0) / 100;
const messages = (items: { field: string; message: string }[]) => items.map((item) => `${item.field}: ${item.message}`);

const EXPECTED: Record<string, TExpected> = {
  "oopfactory-835-4010-grip.txt": {
    status: "APPLIED",
    lines: 4,
    skipped: 3,
    warnings: 1,
    why: "4010 file (BOM, CRLF, indented): 9 claims, 2 of them reversals (CLP02 22) of claims from earlier uploads; the 3 SVC*ZZ lines are skipped; the version is warned about",
    check: (result) => {
      // Every SVC is accounted for: stored, skipped as ZZ, or on a reversal.
      expect(result.stored.length + 3 + 2).toBe(result.facts.svcCount);
      expect(messages(result.upload.warnings)).toEqual([expect.stringContaining("004010X091A1")]);
      expect(result.adjustments).toBe(1); // PLB CV -1.27
    },
  },
  "oopfactory-835-5010-multi-isa.txt": {
    status: "APPLIED",
    lines: 17,
    skipped: 0,
    warnings: 48,
    why: "3 interchanges, component separator '>'; its claim ids are masked (56 claims under 10 distinct ids), so later copies of an id replace earlier ones, each with a warning (56 - 8 superseded ... = 48 warnings)",
    check: (result) => {
      expect(result.facts.clpCount).toBe(56);
      expect(result.upload.warnings.every((item: { field: string }) => item.field === "CLP01")).toBe(true);
    },
  },
  "keiron-835-emedny.txt": {
    status: "APPLIED",
    lines: 4,
    skipped: 0,
    warnings: 3,
    why: "its 3 claims share one submitter id, so the last (4 lines) replaces the first two (2 warnings); one line is dated 2013 after a 2010 decision (kept, lag left out, 1 warning)",
    check: (result) => {
      expect(result.stored.filter((line) => line.submittedAt === null)).toHaveLength(1);
      // Zero-unit denied lines of the last claim are stored as denials with 0 units.
      expect(result.stored.filter((line) => line.units === "0.00" && line.outcome === "DENIED")).toHaveLength(2);
    },
  },
  "keiron-835-uhc.txt": {
    status: "APPLIED",
    lines: 5,
    skipped: 0,
    warnings: 0,
    why: "clean 5010 file with '>' as component separator",
    check: (result) => {
      expect(result.stored).toHaveLength(result.facts.svcCount);
      expect(sumPaid(result).toFixed(2)).toBe(result.facts.sumSVC03);
    },
  },
  "keiron-835-bcbsnc-noisa.txt": {
    status: "APPLIED",
    lines: 2,
    skipped: 1,
    warnings: 2,
    why: "bare ST…SE (warned, default separators); SE01 off by one (warned); the third SVC has no SVC02/SVC03 (skipped); SVC06 submitted codes kept",
    check: (result) => {
      expect(result.stored.length + 1).toBe(result.facts.svcCount);
      expect(result.facts.seCountMismatches).toHaveLength(1);
      expect(result.stored.map((line) => line.submittedCptCode)).toEqual(["59410", "59410"]);
      expect(sumPaid(result).toFixed(2)).toBe(result.facts.sumSVC03);
    },
  },
  "affect-835-placeholders.txt": {
    status: "APPLIED",
    lines: 12,
    skipped: 4,
    warnings: 2,
    why: "placeholder junk: 2 'CAS*grp_code*…' adjustments and 2 PLB pairs with placeholder reason codes are skipped; both SE01 counts are wrong (warned); zero-unit CPT II lines are kept",
    check: (result) => {
      expect(result.facts.seCountMismatches).toHaveLength(2);
      expect(result.stored.filter((line) => line.units === "0.00").length).toBeGreaterThan(0);
    },
  },
  "affect-835-nv-shortisa.txt": {
    status: "APPLIED",
    lines: 3,
    skipped: 0,
    warnings: 1,
    why: "unpadded ISA; 3 claims adjudicated at claim level (no SVC) become claim-level lines with CLP08 kept; ST 0003 is PLB only (6 adjustments stored); IEA02 differs from ISA13 (warned)",
    check: (result) => {
      expect(result.facts.svcCount).toBe(0);
      expect(result.stored).toHaveLength(result.facts.clpCount);
      expect(result.stored.every((line) => line.cptCode === null && line.cptGroup === "CLAIM_LEVEL")).toBe(true);
      // Its CLPs stop at CLP07 (no CLP08 facility type to keep).
      expect(result.stored.map((line) => line.facilityType)).toEqual([null, null, null]);
      expect(result.stored.filter((line) => line.outcome === "DENIED").length).toBeGreaterThan(0);
      expect(result.adjustments).toBe(6);
    },
  },
  "tastypackets-835-newline-term.edi": {
    status: "APPLIED",
    lines: 4,
    skipped: 0,
    warnings: 3,
    why: "the eMedNY file with newline as segment terminator: same outcome as keiron-835-emedny.txt",
  },
  "tastypackets-835-156-isa.edi": {
    status: "APPLIED",
    lines: 4,
    skipped: 0,
    warnings: 468,
    why: "the eMedNY interchange 156 times: the same claims again and again, so the last copy stands (3 x 156 - 1 = 467 replacement warnings + 1 date-order warning)",
  },
  "hzbarcea-835-caret-term.txt": {
    status: "REJECTED",
    lines: 0,
    skipped: 2,
    warnings: 3,
    why: "toy file ('^' terminator, read fine): both claims lack CLP04 (skipped), so no claim can be used: refused as having no claim lines, the skipped items and warnings (no GS08, the N7 segment, GE02) kept to say why",
    check: (result) => {
      expect(messages(result.upload.errors)).toEqual([expect.stringContaining("no claim lines")]);
    },
  },
  "pyx12-835-mult-loops.txt": {
    status: "APPLIED",
    lines: 3,
    skipped: 0,
    warnings: 0,
    why: "one denied claim, service dates from DTM*150, blank lines between segments",
    check: (result) => {
      expect(result.stored).toHaveLength(result.facts.svcCount);
      expect(result.stored.every((line) => line.outcome === "DENIED")).toBe(true);
    },
  },
};

let server: TIngestRestServer;
beforeAll(async () => {
  if (present) server = await startIngestRestServer();
});
afterAll(async () => {
  await server?.close();
});

describe.skipIf(!present)("X12 835 corpus through POST /api/v1/uploads", () => {
  for (const [file, expected] of Object.entries(EXPECTED)) {
    it(`${file}: ${expected.status} — ${expected.why}`, async () => {
      const tenant = await createTestTenant();
      const body = readFileSync(path.join(CORPUS, file));
      const headers = new Headers(tenant.keys.ANALYST.headers);
      headers.set("content-type", "application/edi-x12");
      headers.set("x-filename", file);
      const posted = await fetch(`${server.baseUrl}/uploads`, { method: "POST", headers, body });
      const answer = (await posted.json()) as { upload: { id: string } };
      // 201 when applied; 400 with the REJECTED upload when refused.
      expect(posted.status).toBe(expected.status === "APPLIED" ? 201 : 400);
      const fetched = await fetch(`${server.baseUrl}/uploads/${answer.upload.id}`, { headers: tenant.keys.VIEWER.headers });
      const upload = (await fetched.json()) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
      const stored = await db().claimLine.findMany({
        where: { customerId: tenant.customer.id },
        orderBy: [{ submitterClaimId: "asc" }, { lineNumber: "asc" }],
        select: { cptCode: true, cptGroup: true, units: true, outcome: true, paidAmount: true, submittedAt: true, submittedCptCode: true, facilityType: true },
      });
      const adjustments = await db().providerAdjustment.count({ where: { customerId: tenant.customer.id } });
      const summary = { status: upload.status, lines: stored.length, skipped: upload.skippedCount, warnings: upload.warningCount };
      expect(summary, JSON.stringify({ skipped: upload.skipped, warnings: upload.warnings?.slice(0, 5), errors: upload.errors })).toEqual({
        status: expected.status,
        lines: expected.lines,
        skipped: expected.skipped,
        warnings: expected.warnings,
      });
      expect(upload.appliedCount).toBe(expected.lines);
      expect(upload.skipped).toHaveLength(Math.min(expected.skipped, 1000));
      expect(upload.warnings).toHaveLength(Math.min(expected.warnings, 1000));
      await expected.check?.({
        upload,
        stored: stored.map((line) => ({ ...line, units: line.units.toFixed(2), paidAmount: line.paidAmount?.toFixed(2) ?? null })),
        adjustments,
        facts: manifest(file),
      });
    });
  }
});
