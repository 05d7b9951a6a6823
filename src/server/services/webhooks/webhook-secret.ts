import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";
import { env } from "@/env";

/**
 * Webhook signing secrets (PRODUCT.md §5): `whsec_` + base64 of 32 random bytes (the Standard
 * Webhooks format; 24–64 bytes are accepted when decoding), stored only as AES-256-GCM
 * ciphertext. The key is SHA-256 of WEBHOOK_SECRET_KEY, so any string of >= 32 characters works
 * as the environment value; rotating that variable makes stored secrets unreadable (rotate the
 * endpoints' secrets too). Stored form: `v1.<iv b64url>.<tag b64url>.<ciphertext b64url>`.
 */

const SECRET_BYTES = 32;
const VERSION = "v1";

function key(): Buffer {
  return createHash("sha256").update(env().WEBHOOK_SECRET_KEY, "utf8").digest();
}

export function generateWebhookSecret(bytes = SECRET_BYTES): string {
  if (bytes < 24 || bytes > 64) throw new Error("webhook secrets are 24 to 64 random bytes");
  return `whsec_${randomBytes(bytes).toString("base64")}`;
}

export function encryptWebhookSecret(secret: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key(), iv);
  const ciphertext = Buffer.concat([cipher.update(secret, "utf8"), cipher.final()]);
  return [VERSION, iv.toString("base64url"), cipher.getAuthTag().toString("base64url"), ciphertext.toString("base64url")].join(".");
}

export function decryptWebhookSecret(stored: string): string {
  const [version, iv, tag, ciphertext] = stored.split(".");
  if (version !== VERSION || !iv || !tag || !ciphertext) throw new Error("unrecognised webhook secret ciphertext");
  const decipher = createDecipheriv("aes-256-gcm", key(), Buffer.from(iv, "base64url"));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  return Buffer.concat([decipher.update(Buffer.from(ciphertext, "base64url")), decipher.final()]).toString("utf8");
}

/** The secrets that sign right now: the current one, and the previous one during its grace period. */
export function activeSecrets(
  endpoint: { secretCiphertext: string; previousSecretCiphertext: string | null; previousSecretExpiresAt: Date | null },
  now = new Date(),
): string[] {
  const secrets = [decryptWebhookSecret(endpoint.secretCiphertext)];
  if (endpoint.previousSecretCiphertext && endpoint.previousSecretExpiresAt && endpoint.previousSecretExpiresAt > now) {
    secrets.push(decryptWebhookSecret(endpoint.previousSecretCiphertext));
  }
  return secrets;
}
