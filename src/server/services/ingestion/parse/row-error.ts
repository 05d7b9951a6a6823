/**
 * One problem found while reading an upload. `line` is the 1-based CSV line or X12 segment
 * number so a billing clerk can find it in their own copy of the file; `field` is the CSV
 * column or the X12 element (e.g. "SVC03", "DTM*472").
 *
 * Messages never repeat the offending value: uploads carry PHI (dates of service, account
 * numbers) and error reports are stored and shown long after the file itself is gone.
 */
export type TRowError = { line: number; field: string; message: string };

/** Outcome of a small value parser: helpers report *why* instead of throwing. */
export type TParseResult<T> = { ok: true; value: T } | { ok: false; message: string };
