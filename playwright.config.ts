import { defineConfig } from "@playwright/test";
import { CHROMIUM_ARGS, chromiumExecutable } from "./e2e/support/browser";

/**
 * Browser journeys against the real app (`npm start`: build, embedded PostgreSQL in its own
 * data dir, migrations, a small demo data set). Chromium comes from npm (@sparticuz/chromium) or
 * CHROMIUM_PATH; see e2e/support/browser.ts.
 */
const PORT = Number(process.env.E2E_PORT ?? 3210);
// One data dir per port: runs on other ports at the same time must not wipe each other's database.
// Specs that set up rows directly (e2e/support/journeys.ts) find the server through it.
const DATA_DIR = process.env.E2E_DATA_DIR ?? (process.env.E2E_PORT ? `.data/e2e-${PORT}` : ".data/e2e");
process.env.E2E_DATA_DIR = DATA_DIR;

// The idle-logoff journey waits out a real idle limit, so it gets a server of its own with a
// one-minute limit (E2E_SESSION_IDLE_MINUTES); the other journeys keep the shipped 15 minutes,
// since several wait minutes for background work without touching the page.
const IDLE_PORT = Number(process.env.E2E_IDLE_PORT ?? PORT + 1);
const IDLE_DATA_DIR = `${DATA_DIR}-idle`;
const IDLE_SPEC = /idle-logoff\.spec\.ts$/;

function server(port: number, dataDir: string, idleMinutes: string) {
  return {
    command: `rm -rf ${dataDir} && npm start`,
    url: `http://127.0.0.1:${port}/api/ready`,
    timeout: 300_000,
    reuseExistingServer: false,
    // SIGTERM lets `npm start` drain and stop its embedded PostgreSQL; the default SIGKILL would
    // leave the database (its own process group) running.
    gracefulShutdown: { signal: "SIGTERM" as const, timeout: 20_000 },
    env: {
      PORT: String(port),
      DRIFTLINE_DATA_DIR: dataDir,
      SEED_DEMO_CLAIMS: "20000",
      SESSION_IDLE_MINUTES: idleMinutes,
      // Every journey signs in from 127.0.0.1: the per-address sign-in limit (20 per 15 min)
      // would refuse the later ones. The per-account limits stay as shipped.
      RATE_LIMIT_OVERRIDES: JSON.stringify({ signInAddress: { points: 1000, duration: 900 } }),
    },
  };
}

export default defineConfig({
  testDir: "e2e",
  timeout: 60_000,
  workers: 1,
  reporter: [["list"]],
  use: {
    launchOptions: { executablePath: await chromiumExecutable(), args: CHROMIUM_ARGS },
  },
  projects: [
    { name: "journeys", testIgnore: IDLE_SPEC, use: { baseURL: `http://127.0.0.1:${PORT}` } },
    { name: "idle-logoff", testMatch: IDLE_SPEC, use: { baseURL: `http://127.0.0.1:${IDLE_PORT}` } },
  ],
  // Started in order: the second finds the build the first made (no second build).
  webServer: [server(PORT, DATA_DIR, "15"), server(IDLE_PORT, IDLE_DATA_DIR, process.env.E2E_SESSION_IDLE_MINUTES ?? "1")],
});
