import { createHash, randomUUID } from "node:crypto";
import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { AppError } from "@/server/lib/errors";

/**
 * Streams an upload body to a temporary file while hashing it (SHA-256) and counting bytes, so
 * the network transfer never holds a database transaction open, the content hash is known before
 * anything is applied (the same file twice is one upload), and memory stays flat in file size.
 * Past `maxBytes` it stops reading and answers 413 naming UPLOAD_MAX_BYTES.
 */
export interface TSpooledUpload {
  path: string;
  sizeBytes: number;
  contentHash: string;
  /** The first bytes, for sniffing the format. */
  head: Buffer;
  remove(): Promise<void>;
}

const HEAD_BYTES = 512;

export function tooLarge(maxBytes: number): AppError {
  return new AppError("PAYLOAD_TOO_LARGE", `The upload is larger than ${maxBytes} bytes (UPLOAD_MAX_BYTES).`, { limit: "UPLOAD_MAX_BYTES", maxBytes });
}

export async function spoolUpload(source: AsyncIterable<Uint8Array>, maxBytes: number): Promise<TSpooledUpload> {
  const file = path.join(tmpdir(), `driftline-upload-${randomUUID()}`);
  const remove = () => rm(file, { force: true });
  const out = createWriteStream(file, { mode: 0o600 });
  const hash = createHash("sha256");
  let size = 0;
  let head = Buffer.alloc(0);
  try {
    for await (const chunk of source) {
      size += chunk.byteLength;
      if (size > maxBytes) throw tooLarge(maxBytes);
      hash.update(chunk);
      if (head.length < HEAD_BYTES) head = Buffer.concat([head, Buffer.from(chunk.subarray(0, HEAD_BYTES - head.length))]);
      if (!out.write(chunk)) await once(out, "drain");
    }
    out.end();
    await once(out, "finish");
  } catch (error) {
    out.destroy();
    await remove();
    throw error;
  }
  return { path: file, sizeBytes: size, contentHash: hash.digest("hex"), head, remove };
}
