/**
 * Turns an upload byte stream into text chunks, refusing binary input up front: a spreadsheet
 * (.xlsx), PDF or image renamed to .csv should get one clear error, not thousands of
 * nonsense row errors.
 */

type TChunk = Buffer | Uint8Array | string;
/** A Readable, any async iterable of chunks, or an array of chunks (handy for small bodies). */
export type TTextSource = AsyncIterable<TChunk> | Iterable<TChunk>;

/** Why decoding stopped; `atStart` means nothing before it was text either. */
export class TextDecodeFailure extends Error {
  constructor(
    message: string,
    readonly atStart: boolean,
  ) {
    super(message);
  }
}

export const NOT_A_TEXT_FILE = "not a text file: upload a UTF-8 CSV (spreadsheets must be saved as CSV)";

export async function* decodeTextStream(source: TTextSource): AsyncGenerator<string> {
  // fatal: invalid UTF-8 must stop the upload instead of becoming U+FFFD inside amounts.
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let first = true;
  let byteOffset = 0;
  for await (const chunk of source) {
    const text = typeof chunk === "string" ? chunk : decodeChunk(decoder, chunk, first, byteOffset);
    if (text.includes("\u0000")) {
      throw new TextDecodeFailure(first ? NOT_A_TEXT_FILE : "file contains NUL bytes: not a text file", first);
    }
    byteOffset += typeof chunk === "string" ? 0 : chunk.byteLength;
    // Empty leading chunks (some HTTP bodies start with one) do not count as "the first chunk".
    if (chunk.length > 0) first = false;
    if (text !== "") yield text;
  }
  const rest = decodeChunk(decoder, undefined, first, byteOffset);
  if (rest !== "") yield rest;
}

function decodeChunk(decoder: TextDecoder, chunk: Uint8Array | undefined, first: boolean, offset: number): string {
  try {
    // stream: true keeps a multi-byte character split across two chunks intact.
    return chunk === undefined ? decoder.decode() : decoder.decode(chunk, { stream: true });
  } catch {
    throw new TextDecodeFailure(first ? NOT_A_TEXT_FILE : `invalid UTF-8 text after byte ${offset}: save the file as UTF-8`, first);
  }
}
