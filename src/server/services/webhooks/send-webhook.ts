import http from "node:http";
import https from "node:https";
import { Webhook } from "standardwebhooks";
import { assertSafeWebhookUrl, guardedLookup } from "./ssrf-guard";

/**
 * One HTTP attempt of a webhook, with Standard Webhooks headers: `webhook-id` (also sent as
 * `X-Idempotency-Key`), `webhook-timestamp` (unix seconds of this attempt) and
 * `webhook-signature` — `v1,<base64 HMAC-SHA256 of "id.timestamp.body">` per active secret,
 * space-separated — computed by the `standardwebhooks` reference library. Never called while a
 * database transaction is open. Never throws: every outcome is a result to record.
 */

export interface TSendInput {
  url: string;
  messageId: string;
  body: string;
  secrets: readonly string[];
  timeoutMs: number;
  allowPrivate: boolean;
}

export interface TSendResult {
  statusCode: number | null;
  durationMs: number;
  /** null on a 2xx; otherwise timeout | network | forbidden_address | http_status. */
  errorKind: string | null;
  /** The first 1 KB of the response body (or the error message). */
  excerpt: string | null;
  retryAfter: string | null;
  startedAt: Date;
}

const EXCERPT_BYTES = 1024;
/** Reading stops here: the rest of a large answer is not worth the time. */
const MAX_READ_BYTES = 64 * 1024;

const agents = { http: new http.Agent({ keepAlive: true, maxSockets: 64 }), https: new https.Agent({ keepAlive: true, maxSockets: 64 }) };

/** At most 1024 bytes of valid UTF-8 without NUL (PostgreSQL text cannot hold it). */
export function excerptOf(text: string): string {
  let value = text.split(String.fromCharCode(0)).join("");
  while (Buffer.byteLength(value, "utf8") > EXCERPT_BYTES)
    value = value.slice(0, Math.max(0, value.length - Math.ceil((Buffer.byteLength(value, "utf8") - EXCERPT_BYTES) / 3) - 1));
  return value;
}

export function signWebhook(secrets: readonly string[], messageId: string, timestamp: Date, body: string): string {
  return secrets.map((secret) => new Webhook(secret).sign(messageId, timestamp, body)).join(" ");
}

export async function sendWebhook(input: TSendInput): Promise<TSendResult> {
  const startedAt = new Date();
  const started = performance.now();
  const elapsed = () => Math.max(0, Math.round(performance.now() - started));
  let url: URL;
  try {
    url = await assertSafeWebhookUrl(input.url, { allowPrivate: input.allowPrivate });
  } catch (error) {
    return {
      statusCode: null,
      durationMs: elapsed(),
      errorKind: "forbidden_address",
      excerpt: excerptOf((error as Error).message),
      retryAfter: null,
      startedAt,
    };
  }
  const timestamp = new Date(Math.floor(Date.now() / 1000) * 1000);
  const headers = {
    "content-type": "application/json",
    "user-agent": "Driftline-Webhooks/1",
    "webhook-id": input.messageId,
    "x-idempotency-key": input.messageId,
    "webhook-timestamp": String(timestamp.getTime() / 1000),
    "webhook-signature": signWebhook(input.secrets, input.messageId, timestamp, input.body),
    "content-length": String(Buffer.byteLength(input.body)),
  };
  const secure = url.protocol === "https:";
  return new Promise<TSendResult>((resolve) => {
    let settled = false;
    const finish = (result: Omit<TSendResult, "durationMs" | "startedAt">) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...result, durationMs: elapsed(), startedAt });
    };
    const request = (secure ? https : http).request(url, {
      method: "POST",
      headers,
      agent: secure ? agents.https : agents.http,
      lookup: guardedLookup(input.allowPrivate) as never,
    });
    const timer = setTimeout(() => {
      finish({ statusCode: null, errorKind: "timeout", excerpt: `no answer within ${input.timeoutMs} ms`, retryAfter: null });
      request.destroy();
    }, input.timeoutMs);
    request.on("error", (error: NodeJS.ErrnoException) => {
      const kind = error.code === "EFORBIDDENADDRESS" ? "forbidden_address" : "network";
      finish({ statusCode: null, errorKind: kind, excerpt: excerptOf(`${error.code ?? "error"}: ${error.message}`), retryAfter: null });
    });
    request.on("response", (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const done = () => {
        const status = response.statusCode ?? 0;
        const text = Buffer.concat(chunks).subarray(0, EXCERPT_BYTES).toString("utf8");
        const retryAfter = response.headers["retry-after"];
        finish({
          statusCode: status >= 100 && status <= 599 ? status : null,
          errorKind: status >= 200 && status < 300 ? null : "http_status",
          excerpt: text ? excerptOf(text) : null,
          retryAfter: typeof retryAfter === "string" ? retryAfter : null,
        });
      };
      response.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size <= EXCERPT_BYTES + chunk.length) chunks.push(chunk);
        if (size > MAX_READ_BYTES) {
          done();
          response.destroy();
        }
      });
      response.on("end", done);
      response.on("error", done);
    });
    request.end(input.body);
  });
}
