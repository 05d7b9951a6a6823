import { createHash, randomBytes } from "node:crypto";

/**
 * API keys look like `dl_<prefix>_<secret>`: the prefix (8 chars) is stored in clear so lists
 * and audit rows can name a key; the whole key is stored only as a SHA-256 hash. A fast hash
 * is right here because the secret has 192 random bits (no dictionary to attack).
 */
const PATTERN = /^dl_([a-z0-9]{8})_([A-Za-z0-9_-]{32})$/;

export function generateApiKey(): { key: string; prefix: string; hash: string } {
  const prefix = randomBytes(6)
    .toString("base64url")
    .toLowerCase()
    .replace(/[^a-z0-9]/g, "0")
    .slice(0, 8);
  const key = `dl_${prefix}_${randomBytes(24).toString("base64url")}`;
  return { key, prefix: `dl_${prefix}`, hash: hashApiKey(key) };
}

export function hashApiKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

export function looksLikeApiKey(value: string): boolean {
  return PATTERN.test(value);
}
