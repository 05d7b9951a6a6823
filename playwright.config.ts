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

export default defineConfig({
  testDir: "e2e",
  timeout: 60_000,
  workers: 1,
  reporter: [["list"]],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    launchOptions: { executablePath: await chromiumExecutable(), args: CHROMIUM_ARGS },
  },
  webServer: {
    command: `rm -rf ${DATA_DIR} && npm start`,
    url: `http://127.0.0.1:${PORT}/api/ready`,
    timeout: 300_000,
    reuseExistingServer: false,
    // SIGTERM lets `npm start` drain and stop its embedded PostgreSQL; the default SIGKILL would
    // leave the database (its own process group) running.
    gracefulShutdown: { signal: "SIGTERM", timeout: 20_000 },
    env: {
      PORT: String(PORT),
      DRIFTLINE_DATA_DIR: DATA_DIR,
      SEED_DEMO_CLAIMS: "20000",
      SESSION_IDLE_MINUTES: process.env.E2E_SESSION_IDLE_MINUTES ?? "15",
      // Every journey signs in from 127.0.0.1: the per-address sign-in limit (20 per 15 min)
      // would refuse the later ones. The per-account limit stays as shipped.
      RATE_LIMIT_OVERRIDES: JSON.stringify({ signInAddress: { points: 1000, duration: 900 } }),
    },
  },
});
