import { env } from "@/env";

/** Upload limits (UPLOAD_MAX_BYTES, UPLOAD_MAX_ROWS); services take them explicitly so tests can shrink them. */
export interface TIngestionLimits {
  maxBytes: number;
  maxRows: number;
}

export function ingestionLimits(): TIngestionLimits {
  return { maxBytes: env().UPLOAD_MAX_BYTES, maxRows: env().UPLOAD_MAX_ROWS };
}

/** At most this many row errors are stored on an upload; `errorCount` still counts them all. */
export const MAX_STORED_ROW_ERRORS = 1000;
