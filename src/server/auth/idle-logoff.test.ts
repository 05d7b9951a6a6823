import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { env } from "@/env";
import { db } from "@/server/db/client";
import { changePrincipalAsOwner, createTestCustomer, createTestSession, createTestUser, startRestServer, type TRestServer } from "@/test/factories";

/**
 * Automatic logoff (HIPAA §164.312(a)(2)(iii)) counts only what a person does. Over real HTTP:
 * a background request (the same activity marker as before, or none) leaves the idle clock where
 * it was, so a page that polls still reaches the idle limit; a request carrying a new marker (the
 * browser writes one when the person types, clicks or scrolls) or a user-activated navigation
 * (Sec-Fetch-User: ?1, which scripts cannot set) moves it forward.
 */

let server: TRestServer;
let customerId: string;

beforeAll(async () => {
  server = await startRestServer();
  customerId = (await createTestCustomer()).id;
});

afterAll(async () => {
  await server?.close();
});

async function sessionSeenMinutesAgo(minutes: number) {
  const user = await createTestUser({ customerId, role: "VIEWER" });
  const session = await createTestSession(user.id);
  await changePrincipalAsOwner("UPDATE user_sessions SET last_seen_at = now() - make_interval(secs => $2::float8 * 60) WHERE id = $1", [
    session.sessionId,
    minutes,
  ]);
  const { lastSeenAt } = await db().userSession.findUniqueOrThrow({ where: { id: session.sessionId }, select: { lastSeenAt: true } });
  return { session, lastSeenAt };
}

async function lastSeen(sessionId: string): Promise<Date> {
  return (await db().userSession.findUniqueOrThrow({ where: { id: sessionId }, select: { lastSeenAt: true } })).lastSeenAt;
}

function withCookie(headers: Headers, cookie: string): Headers {
  const next = new Headers(headers);
  next.set("cookie", `${headers.get("cookie")}; ${cookie}`);
  return next;
}

async function get(path: string, headers: Headers): Promise<number> {
  const response = await fetch(`${server.baseUrl}${path}`, { headers });
  await response.arrayBuffer();
  return response.status;
}

const idleMinutes = env().SESSION_IDLE_MINUTES;

describe("idle logoff counts only a person's activity", () => {
  it("a background request (no activity marker) does not extend the session", async () => {
    const { session, lastSeenAt } = await sessionSeenMinutesAgo(1);
    expect(await get("/customers/me", session.headers)).toBe(200);
    expect((await lastSeen(session.sessionId)).getTime()).toBe(lastSeenAt.getTime());
  });

  it("polls repeating the same marker do not extend it; a new marker does", async () => {
    const { session, lastSeenAt } = await sessionSeenMinutesAgo(1);
    const first = withCookie(session.headers, "driftline-activity=m1abc");
    expect(await get("/customers/me", first)).toBe(200);
    const afterFirst = await lastSeen(session.sessionId);
    // The first marker the session sees is a person's action since sign-in: it counts.
    expect(afterFirst.getTime()).toBeGreaterThan(lastSeenAt.getTime());

    await changePrincipalAsOwner("UPDATE user_sessions SET last_seen_at = now() - interval '1 minute' WHERE id = $1", [session.sessionId]);
    const rewound = await lastSeen(session.sessionId);
    for (let poll = 0; poll < 3; poll += 1) expect(await get("/alerts/active?pageSize=1", first)).toBe(200);
    expect((await lastSeen(session.sessionId)).getTime()).toBe(rewound.getTime());

    expect(await get("/customers/me", withCookie(session.headers, "driftline-activity=m2def"))).toBe(200);
    expect((await lastSeen(session.sessionId)).getTime()).toBeGreaterThan(rewound.getTime());
  });

  it("a user-activated navigation (Sec-Fetch-User: ?1) extends it", async () => {
    const { session, lastSeenAt } = await sessionSeenMinutesAgo(1);
    const headers = new Headers(session.headers);
    headers.set("sec-fetch-user", "?1");
    expect(await get("/customers/me", headers)).toBe(200);
    expect((await lastSeen(session.sessionId)).getTime()).toBeGreaterThan(lastSeenAt.getTime());
  });

  it("a malformed marker is ignored, not stored", async () => {
    const { session, lastSeenAt } = await sessionSeenMinutesAgo(1);
    expect(await get("/customers/me", withCookie(session.headers, `driftline-activity=${"x".repeat(200)}`))).toBe(200);
    const row = await db().userSession.findUniqueOrThrow({ where: { id: session.sessionId }, select: { lastSeenAt: true, lastActivityMarker: true } });
    expect(row.lastSeenAt.getTime()).toBe(lastSeenAt.getTime());
    expect(row.lastActivityMarker).toBeNull();
  });

  it(`a page that keeps polling is logged off at the idle limit (${idleMinutes} min)`, async () => {
    const { session } = await sessionSeenMinutesAgo(idleMinutes - 0.5);
    const polling = withCookie(session.headers, "driftline-activity=p1");
    await changePrincipalAsOwner("UPDATE user_sessions SET last_activity_marker = 'p1' WHERE id = $1", [session.sessionId]);
    // Still inside the window: answered, but the clock stays where the person left it.
    expect(await get("/alerts/active?pageSize=1", polling)).toBe(200);
    await changePrincipalAsOwner("UPDATE user_sessions SET last_seen_at = last_seen_at - interval '1 minute' WHERE id = $1", [session.sessionId]);
    expect(await get("/alerts/active?pageSize=1", polling)).toBe(401);
    const row = await db().userSession.findUniqueOrThrow({ where: { id: session.sessionId }, select: { revokedAt: true } });
    expect(row.revokedAt).not.toBeNull();
  });
});
