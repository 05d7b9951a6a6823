import { createHash, randomBytes } from "node:crypto";

/**
 * Single-use tokens for invitations (`dli_…`) and password resets (`dlr_…`): 256 random bits,
 * stored only as a SHA-256 hash (a fast hash is right for random secrets, as for API keys). The
 * prefix tells a reader which kind a pasted token is; it carries no secret.
 */
export type TTokenKind = "invitation" | "passwordReset";

const PREFIX: Record<TTokenKind, string> = { invitation: "dli_", passwordReset: "dlr_" };

export function generateOneTimeToken(kind: TTokenKind): { token: string; hash: string } {
  const token = `${PREFIX[kind]}${randomBytes(32).toString("base64url")}`;
  return { token, hash: hashOneTimeToken(token) };
}

export function hashOneTimeToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** The page a token opens; the token rides in the fragment, so it never reaches a server log. */
export function tokenPath(kind: TTokenKind, token: string): string {
  return `${kind === "invitation" ? "/invitation" : "/reset-password"}#token=${token}`;
}
