"use client";

import { useEffect } from "react";

/**
 * The browser half of automatic logoff (server half: src/server/auth/session-activity.ts).
 * A person's input — key, click, wheel, touch — writes a new activity marker into the
 * `driftline-activity` cookie; the server extends the idle clock only when a request brings a
 * marker it has not seen. Nothing here runs on a timer to keep the session alive: the polls of
 * the page carry the unchanged marker and extend nothing.
 *
 * When the idle limit has passed since the last input, the page asks the server once whether the
 * session is still alive (it may have been extended in another tab) and shows the sign-in page
 * with "signed out for inactivity" when it is not. Any 401 from the API does the same.
 */

/** Must match ACTIVITY_COOKIE in src/server/auth/session-activity.ts (UI code cannot import it). */
const ACTIVITY_COOKIE = "driftline-activity";
const INPUT_EVENTS = ["keydown", "pointerdown", "wheel", "touchstart"] as const;
// Enough to spot a session that was extended elsewhere without polling often; the check itself
// is a background request and extends nothing.
const RECHECK_MS = 15_000;

const state = { lastInputAt: Date.now(), idleMs: Number.POSITIVE_INFINITY, leaving: false };

function writeMarker(now: number): void {
  const marker = `${now.toString(36)}${Math.random().toString(36).slice(2, 8)}`;
  const secure = window.location.protocol === "https:" ? "; Secure" : "";
  document.cookie = `${ACTIVITY_COOKIE}=${marker}; Path=/; SameSite=Strict${secure}`;
}

/** The session is over (a 401): show the sign-in page, saying why when it was inactivity. */
export function leaveEndedSession(): void {
  if (state.leaving) return;
  state.leaving = true;
  // A little slack: the server's clock started at the request after the input, not the input.
  const idle = Date.now() - state.lastInputAt >= state.idleMs - 5_000;
  window.location.assign(`/sign-in?reason=${idle ? "idle" : "ended"}`);
}

async function sessionAlive(): Promise<boolean> {
  const response = await fetch("/api/v1/customers/me", { credentials: "same-origin", cache: "no-store" });
  return response.status !== 401;
}

export function SessionActivity({ idleMinutes }: { idleMinutes: number }) {
  useEffect(() => {
    state.idleMs = idleMinutes * 60_000;
    state.lastInputAt = Date.now();
    state.leaving = false;
    let lastWriteAt = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;

    const schedule = (delayMs: number) => {
      clearTimeout(timer);
      timer = setTimeout(check, Math.max(1_000, delayMs));
    };
    const check = () => {
      const dueIn = state.lastInputAt + state.idleMs + 1_000 - Date.now();
      if (dueIn > 0) return schedule(dueIn);
      sessionAlive().then(
        (alive) => (alive ? schedule(RECHECK_MS) : leaveEndedSession()),
        () => schedule(RECHECK_MS),
      );
    };
    const onInput = () => {
      const now = Date.now();
      state.lastInputAt = now;
      // One cookie write per second is plenty: the server needs "something changed", not a count.
      if (now - lastWriteAt >= 1_000) {
        lastWriteAt = now;
        writeMarker(now);
      }
    };

    for (const name of INPUT_EVENTS) window.addEventListener(name, onInput, { capture: true, passive: true });
    schedule(state.idleMs + 1_000);
    return () => {
      clearTimeout(timer);
      for (const name of INPUT_EVENTS) window.removeEventListener(name, onInput, { capture: true });
    };
  }, [idleMinutes]);
  return null;
}
