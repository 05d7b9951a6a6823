import { createReadStream } from "node:fs";
import type { TActor } from "@/server/lib/actor";
import { AppError } from "@/server/lib/errors";
import { applyClaimLines, type TApplyResult, type TIngestItem, type TUploadMeta } from "./apply-claim-lines";
import { x12TokenLimits, type TIngestionLimits } from "./ingestion-limits";
import { decodeTextStream, TextDecodeFailure } from "./parse/decode-text-stream";
import { parseClaimsCsv } from "./parse/parse-csv";
import { parseX12Tokens, type TX12ParseResult } from "./parse/parse-x12-835";
import { X12LimitExceeded, X12Tokenizer } from "./parse/x12-tokenizer";
import { afterUploadApplied } from "./after-upload-applied";
import type { TSpooledUpload } from "./spool-upload";

/**
 * A spooled CSV or X12 835 file -> parsed items -> the one-transaction writer. The format is
 * sniffed (an 835 starts with ISA) and otherwise taken from what the caller declared.
 */

export type TUploadFormat = "CSV" | "X12_835";

export function detectUploadFormat(head: Buffer, declared: string | undefined): TUploadFormat {
  const start = head
    .toString("latin1")
    .replace(/^\uFEFF|^\xEF\xBB\xBF/, "")
    .trimStart();
  // A lone transaction set (ST*835 with no ISA/GS envelope) is an 835 too.
  if (start.startsWith("ISA") || start.startsWith("ST*835*")) return "X12_835";
  const type = (declared ?? "").toLowerCase();
  if (/edi-x12|x12|edi/.test(type)) return "X12_835";
  return "CSV";
}

async function* csvItems(file: string): AsyncGenerator<TIngestItem> {
  yield* parseClaimsCsv(createReadStream(file, { highWaterMark: 256 * 1024 }));
}

/**
 * The file is read in 64 KiB chunks and tokenised as it arrives, so the segment and element
 * limits refuse an oversized file (413 naming the limit) before it is all in memory. Envelope
 * counts and "the latest CLP wins" need the whole file, so parsing itself starts after the last
 * segment; it is linear in their number.
 */
async function* x12Items(file: string, limits: TIngestionLimits): AsyncGenerator<TIngestItem> {
  const tokenizer = new X12Tokenizer(x12TokenLimits(limits));
  try {
    for await (const text of decodeTextStream(createReadStream(file, { highWaterMark: 64 * 1024 }))) tokenizer.push(text);
  } catch (error) {
    if (error instanceof X12LimitExceeded) {
      throw new AppError(
        "PAYLOAD_TOO_LARGE",
        `The X12 file has more than ${error.max} ${error.limit === "X12_MAX_SEGMENTS" ? "segments" : "elements"} (${error.limit}); split it into smaller files.`,
        {
          limit: error.limit,
          max: error.max,
        },
      );
    }
    if (!(error instanceof TextDecodeFailure)) throw error;
    yield { kind: "error", line: 1, field: "file", message: "not a text file: an X12 835 file is plain UTF-8 text" };
    return;
  }
  yield* x12ParsedItems(parseX12Tokens(tokenizer.end()));
}

/** A parsed 835 as the writer's items. */
export function* x12ParsedItems(parsed: TX12ParseResult): Generator<TIngestItem> {
  // A file that cannot be read as an 835 is refused whole: only its structural errors count.
  if (parsed.errors.length > 0) {
    for (const error of parsed.errors) yield { kind: "error", ...error };
    return;
  }
  for (const reversal of parsed.reversals) yield { kind: "reversal", line: reversal.line, submitterClaimId: reversal.submitterClaimId };
  for (const item of parsed.skipped) yield { kind: "skipped", ...item };
  for (const item of parsed.warnings) yield { kind: "warning", ...item };
  for (const item of parsed.providerAdjustments) yield { kind: "providerAdjustments", ...item };
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
  const items = format === "X12_835" ? x12Items(file.path, limits) : csvItems(file.path);
  const result = await applyClaimLines(customerId, meta, items, limits, { actor });
  if (result.created) await afterUploadApplied(customerId, actor, result);
  return result;
}
