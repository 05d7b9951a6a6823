import { AppError } from "@/server/lib/errors";

/**
 * A streaming reader for the one part of a multipart/form-data body that carries the upload
 * (field `file`, RFC 7578). `Request.formData()` would buffer the whole file in memory; this
 * yields the part's bytes as they arrive and keeps at most one delimiter's length in hand.
 */

const CRLF_CRLF = Buffer.from("\r\n\r\n");
const MAX_HEADER_BYTES = 16 * 1024;

export function multipartBoundary(contentType: string): string | null {
  const match = /boundary=(?:"([^"]{1,70})"|([^\s;]{1,70}))/i.exec(contentType);
  return match ? (match[1] ?? match[2] ?? null) : null;
}

function badMultipart(message: string) {
  return new AppError("BAD_REQUEST", `Malformed multipart body: ${message}.`, { errors: [{ path: "file", message }] });
}

function dispositionParam(headers: string, name: string): string | undefined {
  const disposition = /^content-disposition:(.*)$/im.exec(headers)?.[1] ?? "";
  const match = new RegExp(`(?:^|;)\\s*${name}="([^"]*)"`, "i").exec(disposition) ?? new RegExp(`(?:^|;)\\s*${name}=([^;\\s]+)`, "i").exec(disposition);
  return match?.[1];
}

export interface TMultipartFile {
  filename: string | undefined;
  contentType: string | undefined;
  chunks: AsyncIterable<Uint8Array>;
}

/**
 * Finds the `file` part and returns its metadata with a stream of its bytes. Other fields are
 * skipped. Throws BAD_REQUEST when the body is not valid multipart or has no `file` part.
 */
export async function readMultipartFile(body: AsyncIterable<Uint8Array>, boundary: string, field = "file"): Promise<TMultipartFile> {
  const iterator = body[Symbol.asyncIterator]();
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  // A leading CRLF lets the first boundary (at the very start of the body) match like the rest.
  let buffer: Buffer = Buffer.from("\r\n");
  let ended = false;

  async function more(): Promise<boolean> {
    if (ended) return false;
    const next = await iterator.next();
    if (next.done) {
      ended = true;
      return false;
    }
    buffer = Buffer.concat([buffer, Buffer.from(next.value)]);
    return true;
  }

  async function skipToDelimiter(): Promise<void> {
    for (;;) {
      const at = buffer.indexOf(delimiter);
      if (at >= 0) {
        buffer = buffer.subarray(at + delimiter.length);
        return;
      }
      buffer = buffer.subarray(Math.max(0, buffer.length - delimiter.length));
      if (!(await more())) throw badMultipart("the closing boundary is missing");
    }
  }

  for (;;) {
    await skipToDelimiter();
    while (buffer.length < 2) if (!(await more())) throw badMultipart("the body ends inside a boundary");
    if (buffer[0] === 0x2d && buffer[1] === 0x2d) throw badMultipart(`no "${field}" part`);
    let headerEnd = buffer.indexOf(CRLF_CRLF);
    while (headerEnd < 0) {
      if (buffer.length > MAX_HEADER_BYTES) throw badMultipart("part headers are too long");
      if (!(await more())) throw badMultipart("the body ends inside part headers");
      headerEnd = buffer.indexOf(CRLF_CRLF);
    }
    const headers = buffer.subarray(0, headerEnd).toString("utf8");
    buffer = buffer.subarray(headerEnd + CRLF_CRLF.length);
    if (dispositionParam(headers, "name") !== field) continue;

    const contentType = /^content-type:\s*(.*)$/im.exec(headers)?.[1]?.trim();
    async function* chunks(): AsyncGenerator<Uint8Array> {
      for (;;) {
        const at = buffer.indexOf(delimiter);
        if (at >= 0) {
          if (at > 0) yield buffer.subarray(0, at);
          buffer = buffer.subarray(at);
          return;
        }
        // Keep a possible partial delimiter at the end for the next round.
        const safe = buffer.length - delimiter.length;
        if (safe > 0) {
          yield buffer.subarray(0, safe);
          buffer = buffer.subarray(safe);
        }
        if (!(await more())) throw badMultipart("the body ends before the file part is closed");
      }
    }
    return { filename: dispositionParam(headers, "filename"), contentType, chunks: chunks() };
  }
}
