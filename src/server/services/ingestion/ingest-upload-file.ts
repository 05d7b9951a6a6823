import { createReadStream } from "node:fs";
import { readFile } from "node:fs/promises";
import type { TActor } from "@/server/lib/actor";
import { applyClaimLines, type TApplyResult, type TIngestItem, type TUploadMeta } from "./apply-claim-lines";
import type { TIngestionLimits } from "./ingestion-limits";
import { parseClaimsCsv } from "./parse/parse-csv";
import { parseX12_835 } from "./parse/parse-x12-835";
import { afterUploadApplied } from "./after-upload-applied";
import type { TSpooledUpload } from "./spool-upload";

/**
 * A spooled CSV or X12 835 file -> parsed items -> the one-transaction writer. The format is
 * sniffed (an 835 starts with ISA) and otherwise taken from what the caller declared.
 */

export type TUploadFormat = "CSV" | "X12_835";

export function detectUploadFormat(head: Buffer, declared: string | undefined): TUploadFormat {
  const start = head.toString("latin1").replace(/^\uFEFF|^\xEF\xBB\xBF/, "").trimStart();
  if (start.startsWith("ISA")) return "X12_835";
  const type = (declared ?? "").toLowerCase();
  if (/edi-x12|x12|edi/.test(type)) return "X12_835";
  return "CSV";
}

async function* csvItems(file: string): AsyncGenerator<TIngestItem> {
  yield* parseClaimsCsv(createReadStream(file, { highWaterMark: 256 * 1024 }));
}

/** 835 files are small (one remittance run), so the parser takes the whole text. */
async function* x12Items(file: string): AsyncGenerator<TIngestItem> {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(await readFile(file));
  } catch {
    yield { kind: "error", line: 1, field: "file", message: "not a text file: an X12 835 file is plain text" };
    return;
  }
  const parsed = parseX12_835(text);
  for (const reversal of parsed.reversals) yield { kind: "reversal", line: reversal.line, submitterClaimId: reversal.submitterClaimId };
  for (const error of parsed.errors) yield { kind: "error", ...error };
  yield* parsed.lines;
}

export async function ingestUploadFile(
  customerId: string,
  actor: TActor,
  file: TSpooledUpload & { filename: string; declaredType?: string },
  limits: TIngestionLimits,
): Promise<TApplyResult> {
  const format = detectUploadFormat(file.head, file.declaredType);
  const meta: TUploadMeta = {
    format,
    filename: file.filename,
    sizeBytes: file.sizeBytes,
    contentHash: file.contentHash,
    createdById: actor.userId,
    apiKeyId: actor.apiKeyId,
  };
  const items = format === "X12_835" ? x12Items(file.path) : csvItems(file.path);
  const result = await applyClaimLines(customerId, meta, items, limits);
  if (result.created) await afterUploadApplied(customerId, actor, result);
  return result;
}
