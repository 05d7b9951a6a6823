/**
 * What a request says about the person behind a web session, for automatic logoff (HIPAA
 * §164.312(a)(2)(iii)). Only a person's actions extend the idle clock, never the page's own
 * background polls (the alerts badge, the dashboard, the delivery log):
 *
 * - The browser keeps an activity marker in the `driftline-activity` cookie and writes a new one
 *   when the person types, clicks, scrolls or touches (src/components/session-activity.tsx).
 *   Every request carries the cookie, polls included; the session remembers the last marker it
 *   saw, and only a *different* marker counts as activity. So a request the page makes on its own
 *   — any poll, however it is written, including one added later that forgets to say it is a
 *   poll — carries the unchanged marker and extends nothing (fail closed).
 * - A navigation the browser marks as user-activated (`Sec-Fetch-User: ?1`: typed address, link
 *   or form by hand, reload) counts too. Scripts cannot set `Sec-Fetch-*` headers.
 *
 * The marker is written by the page's own script, so code running in the page could forge it;
 * that is the only way to keep a session alive without a person. It is not a new hole: such code
 * already holds the session. Idle logoff protects an unattended screen, not a compromised page.
 */

export const ACTIVITY_COOKIE = "driftline-activity";

/** What the browser writes: base-36 time plus a random tail; anything else is ignored. */
const MARKER = /^[a-z0-9]{1,32}$/;

export interface TRequestActivity {
  /** The page's activity marker, when present and well formed. */
  marker: string | null;
  /** A navigation the browser says the person started (Sec-Fetch-User: ?1). */
  userNavigation: boolean;
}

function cookieValue(header: string | null, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(";")) {
    const index = part.indexOf("=");
    if (index < 0) continue;
    if (part.slice(0, index).trim() === name) return part.slice(index + 1).trim();
  }
  return null;
}

export function requestActivity(headers: Headers): TRequestActivity {
  const raw = cookieValue(headers.get("cookie"), ACTIVITY_COOKIE);
  return {
    marker: raw !== null && MARKER.test(raw) ? raw : null,
    userNavigation: headers.get("sec-fetch-user") === "?1",
  };
}

/** A request that shows nothing of a person (server-side calls, scripts, tests). */
export const NO_ACTIVITY: TRequestActivity = { marker: null, userNavigation: false };
