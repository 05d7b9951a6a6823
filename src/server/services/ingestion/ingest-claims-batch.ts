import { createHash } from "node:crypto";
import { z } from "zod";
import type { TActor } from "@/server/lib/actor";
import { AppError } from "@/server/lib/errors";
import { afterUploadApplied } from "./after-upload-applied";
import { applyClaimLines, type TIngestItem } from "./apply-claim-lines";
import type { TIngestionLimits } from "./ingestion-limits";
import { ZClaimLineInput, type TClaimLineInput } from "./parse/claim-line-input";
import { toUpload, type TUpload } from "./upload-row";

/**
 * The JSON batch way in (`POST /ingest/claims`): a batch is an upload of format JSON keyed by
 * its Idempotency-Key. The same key with the same body returns the first answer and applies
 * nothing again; the same key with another body is a 409. The body's identity is the SHA-256 of
 * its validated, canonical form, so whitespace or number formatting does not make it "another".
 */

export const MAX_BATCH_LINES = 5000;

export const ZIngestClaimsInput = z.strictObject({
  lines: z.array(ZClaimLineInput).min(1, "send at least one line").max(MAX_BATCH_LINES, `at most ${MAX_BATCH_LINES} lines per batch`),
});

export const ZIdempotencyKey = z
  .string({ error: "the Idempotency-Key header is required" })
  .trim()
  .min(1, "the Idempotency-Key header is required")
  .max(255, "Idempotency-Key must be at most 255 characters")
  .regex(/^[\x21-\x7E]+$/, "Idempotency-Key must be printable ASCII without spaces");

export interface TIngestBatchResult {
  upload: TUpload;
  /** True when this answer repeats an earlier request with the same key and body. */
  replayed: boolean;
}

async function* batchItems(lines: TClaimLineInput[]): AsyncGenerator<TIngestItem> {
  for (const [index, value] of lines.entries()) yield { kind: "line", line: index + 1, value };
}

/** A REJECTED batch answers 400 with field paths into the body, every time it is replayed. */
function rejection(upload: TUpload): AppError {
  return new AppError("BAD_REQUEST", `The batch was rejected: ${upload.errorCount} line error(s); nothing was applied.`, {
    errors: upload.errors.map((error) => ({ path: `lines.${error.line - 1}.${error.field}`, message: error.message })),
    uploadId: upload.id,
  });
}

export async function ingestClaimsBatch(
  customerId: string,
  actor: TActor,
  input: { lines: TClaimLineInput[]; idempotencyKey: string },
  limits: TIngestionLimits,
): Promise<TIngestBatchResult> {
  const body = JSON.stringify(input.lines);
  const contentHash = createHash("sha256").update(body).digest("hex");
  const result = await applyClaimLines(
    customerId,
    {
      format: "JSON",
      filename: `batch-${input.idempotencyKey.slice(0, 64)}.json`,
      sizeBytes: Buffer.byteLength(body),
      contentHash,
      idempotencyKey: input.idempotencyKey,
      createdById: actor.userId,
      apiKeyId: actor.apiKeyId,
    },
    batchItems(input.lines),
    limits,
    { actor },
  );
  const stored = result.upload;
  if (!result.created && stored.idempotency_key === input.idempotencyKey && stored.content_hash !== contentHash) {
    throw new AppError("CONFLICT", "This Idempotency-Key was already used with a different body.", {
      errors: [{ path: "Idempotency-Key", message: "already used with a different body" }],
    });
  }
  if (result.created) await afterUploadApplied(customerId, actor, result);
  const upload = toUpload(stored);
  if (upload.status === "REJECTED") throw rejection(upload);
  return { upload, replayed: !result.created };
}
