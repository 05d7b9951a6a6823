import { expect, test, type APIRequestContext } from "@playwright/test";
import { HOME_TENANT, PASSWORD } from "./support/journeys";

/**
 * Finding 1 of the outside review, replayed against `npm start` as the attacker would, through
 * the real sign-in form post (next-auth) and the REST and tRPC doors — adapted to the invitation
 * model, to show every step of the old path closed. (The same sequence runs in vitest against
 * the route handlers: src/test/identity-takeover.test.ts.)
 */

const OTHER = "lakeside-health";

test("A's admin cannot turn a pre-registered account into a way into B", async ({ playwright, baseURL }) => {
  const contexts: APIRequestContext[] = [];
  const open = async () => {
    // Same-origin calls, as the web app makes them.
    const context = await playwright.request.newContext({ baseURL, extraHTTPHeaders: { origin: baseURL! } });
    contexts.push(context);
    return context;
  };
  const signIn = async (context: APIRequestContext, email: string, password: string) => {
    const { csrfToken } = (await (await context.get("/api/auth/csrf")).json()) as { csrfToken: string };
    await context.post("/api/auth/callback/credentials", { form: { csrfToken, email, password, json: "true" }, maxRedirects: 0 });
    return (await context.storageState()).cookies.some((cookie) => cookie.name.endsWith("next-auth.session-token"));
  };
  const trpc = async (context: APIRequestContext, procedure: string, input: unknown) => {
    const response = await context.post(`/api/trpc/${procedure}`, { data: { json: input } });
    const body = (await response.json()) as { result?: { data: { json: Record<string, unknown> } } };
    return { status: response.status(), data: body.result?.data.json };
  };
  const tokenOf = (link: unknown) => String(link).replace(/^.*#token=/, "");

  try {
    const jane = `jane-${Date.now()}@victim.example`;
    const passwordA = "password-chosen-by-A-admin";
    const adminA = await open();
    const adminB = await open();
    expect(await signIn(adminA, `admin@${HOME_TENANT}.example`, PASSWORD)).toBe(true);
    expect(await signIn(adminB, `admin@${OTHER}.example`, PASSWORD)).toBe(true);

    // 1. A's admin can no longer create jane's account with a password of A's choosing.
    const old = await adminA.post("/api/v1/users", { data: { email: jane, role: "VIEWER", password: passwordA } });
    expect([400, 404, 405]).toContain(old.status());

    // 2. A invites jane; with no e-mail configured the link comes back to A, who uses it himself.
    const invitedByA = (await (await adminA.post("/api/v1/invitations", { data: { email: jane, role: "VIEWER" } })).json()) as { link: string };
    const holderOfA = await open();
    expect((await trpc(holderOfA, "invitations.accept", { token: tokenOf(invitedByA.link), password: passwordA })).status).toBe(200);

    // 3. B invites jane (B cannot give a password either), 4. A removes jane.
    expect((await adminB.post("/api/v1/invitations", { data: { email: jane, role: "ANALYST", password: "B-password-123456" } })).status()).toBe(400);
    const invitedByB = (await (await adminB.post("/api/v1/invitations", { data: { email: jane, role: "ANALYST" } })).json()) as { link: string };
    const members = (await (await adminA.get(`/api/v1/users?search=${encodeURIComponent(jane)}`)).json()) as { items: { id: string }[] };
    expect((await adminA.delete(`/api/v1/users/${members.items[0]!.id}`)).status()).toBe(200);

    // 5. A's password signs in to jane's account but opens no tenant — least of all B.
    const attacker = await open();
    expect(await signIn(attacker, jane, passwordA)).toBe(true);
    expect((await attacker.get("/api/v1/customers/me")).status()).toBe(403);
    expect((await attacker.get("/api/v1/claims")).status()).toBe(403);

    // 6. The real jane has B's link, but a link cannot give an existing account a password.
    const realJane = await open();
    expect((await trpc(realJane, "invitations.accept", { token: tokenOf(invitedByB.link), password: "janes-own-password-1" })).status).toBe(409);

    // 7. She gets a single-use reset link (no e-mail here: the superuser issues it) and sets her own.
    const superuser = await open();
    expect(await signIn(superuser, "superuser@driftline.example", PASSWORD)).toBe(true);
    const issued = await trpc(superuser, "accounts.issuePasswordReset", { email: jane });
    expect(issued.status).toBe(200);
    expect((await trpc(realJane, "passwordResets.complete", { token: tokenOf(issued.data?.link), password: "janes-own-password-1" })).status).toBe(200);

    // 8. A's session and A's password are finished.
    expect((await attacker.get("/api/v1/customers/me")).status()).toBe(401);
    expect(await signIn(await open(), jane, passwordA)).toBe(false);

    // 9. Jane, signed in with her own password, accepts B.
    expect(await signIn(realJane, jane, "janes-own-password-1")).toBe(true);
    expect((await trpc(realJane, "invitations.accept", { token: tokenOf(invitedByB.link) })).status).toBe(200);
    const me = (await (await realJane.get("/api/v1/customers/me")).json()) as { customer: { slug: string }; role: string };
    expect(me.customer.slug).toBe(OTHER);
    expect(me.role).toBe("ANALYST");
  } finally {
    for (const context of contexts) await context.dispose();
  }
});
