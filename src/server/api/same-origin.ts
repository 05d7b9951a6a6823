import { SESSION_COOKIE_NAMES } from "./context";

/**
 * Cross-site request forgery guard for cookie-authenticated mutations (SECURITY.md, "CSRF").
 * SameSite=Lax keeps the session cookie off most cross-site requests, but not all: a top-level
 * cross-site form POST carries it in some browsers and situations, and text/plain or multipart
 * bodies need no CORS preflight. So every unsafe method (anything but GET, HEAD, OPTIONS) that
 * would be authenticated by the session cookie must come from our own origin:
 *
 * - `Sec-Fetch-Site` (set by the browser, not by scripts), when present, must be `same-origin`
 *   (or `none`: the person typed or bookmarked it);
 * - `Origin`, when present, must name this site: the request's Host, or NEXTAUTH_URL's host.
 *   `Origin: null` (sandboxed frames, privacy redirects) is refused.
 *
 * Requests with neither header are not from a browser that could be tricked, and requests with an
 * `Authorization` header are API-key callers (the key, not the cookie, authenticates them; a
 * cross-site page cannot attach it without a preflight we never grant): both pass.
 */

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

function hasSessionCookie(header: string | null): boolean {
  if (!header) return false;
  return header.split(";").some((part) => SESSION_COOKIE_NAMES.includes(part.slice(0, part.indexOf("=")).trim()));
}

function ownHosts(headers: Headers): Set<string> {
  const hosts = new Set<string>();
  const host = headers.get("host");
  if (host) hosts.add(host.toLowerCase());
  const configured = process.env.NEXTAUTH_URL;
  if (configured) {
    try {
      hosts.add(new URL(configured).host.toLowerCase());
    } catch {
      // An unusable NEXTAUTH_URL adds nothing; next-auth reports it itself.
    }
  }
  return hosts;
}

/** Why a request must be refused as cross-site, or null when it may proceed. */
export function crossSiteRefusal(method: string, headers: Headers): string | null {
  if (SAFE_METHODS.has(method.toUpperCase())) return null;
  if (headers.has("authorization") || !hasSessionCookie(headers.get("cookie"))) return null;
  const site = headers.get("sec-fetch-site");
  if (site !== null && site !== "same-origin" && site !== "none") {
    return `Cross-site request refused: a signed-in change must come from Driftline's own pages (Sec-Fetch-Site: ${site}).`;
  }
  const origin = headers.get("origin");
  if (origin === null) return null;
  let host: string | null = null;
  try {
    host = origin === "null" ? null : new URL(origin).host.toLowerCase();
  } catch {
    host = null;
  }
  if (host === null || !ownHosts(headers).has(host)) {
    return "Cross-site request refused: a signed-in change must come from Driftline's own pages (foreign Origin).";
  }
  return null;
}
