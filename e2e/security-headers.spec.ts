import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { expect, test } from "@playwright/test";
import { freePort } from "../src/server/db/embedded-postgres";
import { appLoginUrls } from "./support/journeys";

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

/**
 * HSTS follows the mode of the running process, not of the build: the `npm start` under test runs
 * in development mode and must not send it; a second web process started from the very same build
 * (`npm run start:web` on the same database) with DRIFTLINE_MODE=production must, on pages and
 * on both API doors.
 */
test("HSTS is sent by a production-mode server and not by a development one, from one build", async ({ request }) => {
  test.setTimeout(180_000);
  for (const path of ["/sign-in", "/api/v1/health", "/api/trpc/health.check"]) {
    const response = await request.get(path);
    expect(response.status()).toBeLessThan(500);
    expect(response.headers()["strict-transport-security"]).toBeUndefined();
  }

  const port = await freePort();
  const logins = appLoginUrls();
  const secret = () => randomBytes(24).toString("hex");
  const child = spawn(process.execPath, ["node_modules/tsx/dist/cli.mjs", "src/cli/start-web.ts"], {
    env: {
      ...process.env,
      DRIFTLINE_MODE: "production",
      DATABASE_URL: logins.platformUrl,
      DATABASE_TENANT_URL: logins.tenantUrl,
      HOST: "127.0.0.1",
      PORT: String(port),
      AUTH_SECRET: secret(),
      PATIENT_HASH_KEY: secret(),
      WEBHOOK_SECRET_KEY: secret(),
      METRICS_TOKEN: secret(),
      LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  try {
    const production = `http://127.0.0.1:${port}`;
    await expect
      .poll(async () => (await fetch(`${production}/api/health`).catch(() => null))?.status ?? 0, { timeout: 120_000, message: `production web: ${output}` })
      .toBe(200);
    for (const path of ["/sign-in", "/api/v1/health", "/api/trpc/health.check"]) {
      const response = await fetch(`${production}${path}`);
      expect(response.status, path).toBeLessThan(500);
      expect(response.headers.get("strict-transport-security"), path).toBe("max-age=63072000; includeSubDomains");
    }
  } finally {
    child.kill("SIGTERM");
    await exited;
  }
});
