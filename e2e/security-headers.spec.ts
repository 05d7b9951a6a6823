import { expect, test } from "@playwright/test";

/**
 * Security headers and CORS on the real server (`npm start`): CSP with
 * frame-ancestors 'none', X-Frame-Options, nosniff, Referrer-Policy, no X-Powered-By, and no CORS
 * grant for a foreign origin — on pages, the REST door and the tRPC door alike.
 */

for (const path of ["/sign-in", "/api/v1/health", "/api/v1/openapi.json", "/api/trpc/health.check"]) {
  test(`security headers on ${path}`, async ({ request }) => {
    const response = await request.get(path, { headers: { origin: "https://evil.example" } });
    expect(response.status()).toBeLessThan(500);
    const headers = response.headers();
    expect(headers["content-security-policy"]).toContain("frame-ancestors 'none'");
    expect(headers["content-security-policy"]).toContain("default-src 'self'");
    expect(headers["x-frame-options"]).toBe("DENY");
    expect(headers["x-content-type-options"]).toBe("nosniff");
    expect(headers["referrer-policy"]).toBe("no-referrer");
    expect(headers["x-powered-by"]).toBeUndefined();
    expect(headers["access-control-allow-origin"]).toBeUndefined();
  });
}

test("a CORS preflight from a foreign origin is not granted", async ({ request }) => {
  const response = await request.fetch("/api/v1/customers/me", {
    method: "OPTIONS",
    headers: { origin: "https://evil.example", "access-control-request-method": "GET", "access-control-request-headers": "authorization" },
  });
  expect(response.headers()["access-control-allow-origin"]).toBeUndefined();
  expect(response.headers()["access-control-allow-credentials"]).toBeUndefined();
});

test("an unknown REST path answers a problem without internals", async ({ request }) => {
  const response = await request.get("/api/v1/no-such-thing/../../etc/passwd");
  expect(response.status()).toBeLessThan(500);
  expect(await response.text()).not.toMatch(/node_modules|\bat .+:\d+:\d+/);
});
