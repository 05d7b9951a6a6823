import { env } from "@/env";

/** Upload limits (UPLOAD_MAX_BYTES, UPLOAD_MAX_ROWS); services take them explicitly so tests can shrink them. */
export interface TIngestionLimits {
  maxBytes: number;
  maxRows: number;
  /** X12 files: segments and elements per file (X12_MAX_SEGMENTS, X12_MAX_ELEMENTS). */
  maxSegments?: number;
  maxElements?: number;
}

/**
 * Defaults for an 835 (X12_MAX_SEGMENTS, X12_MAX_ELEMENTS in the environment): a claim line
 * takes a handful of segments and a segment a dozen elements, so these sit above any file
 * UPLOAD_MAX_BYTES admits in practice while bounding what one file can make the parser hold
 * (segments are kept until the envelope counts are checked).
 */
export const X12_MAX_SEGMENTS = 5_000_000;
export const X12_MAX_ELEMENTS = 40_000_000;

export function x12TokenLimits(limits: TIngestionLimits) {
  return { maxSegments: limits.maxSegments ?? X12_MAX_SEGMENTS, maxElements: limits.maxElements ?? X12_MAX_ELEMENTS };
}

export function ingestionLimits(): TIngestionLimits {
  const config = env();
  return { maxBytes: config.UPLOAD_MAX_BYTES, maxRows: config.UPLOAD_MAX_ROWS, maxSegments: config.X12_MAX_SEGMENTS, maxElements: config.X12_MAX_ELEMENTS };
}

/** At most this many row errors are stored on an upload; `errorCount` still counts them all. */
export const MAX_STORED_ROW_ERRORS = 1000;
