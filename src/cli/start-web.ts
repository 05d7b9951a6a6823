import { existsSync } from "node:fs";
import path from "node:path";
import { env } from "@/env";
import {
  assertMigrated,
  reportDrain,
  closePoolsStep,
  exitOnStartError,
  installShutdown,
  log,
  requireConfiguredDatabase,
  tagDatabaseConnections,
} from "./process-role";
import { startWebServer, type TWebServer } from "./serve-web";

/**
 * `npm run start:web`: the web role only, for deployments with several instances behind a load
 * balancer. Needs DATABASE_URL and DATABASE_TENANT_URL (never starts the embedded PostgreSQL), applied migrations and a
 * finished `npm run build`; runs no worker. SIGTERM drains HTTP, then exits.
 */
async function main(): Promise<void> {
  const config = env();
  const url = await requireConfiguredDatabase("start:web");
  if (!existsSync(path.resolve(".next/BUILD_ID"))) throw new Error("No build found: run `npm run build` first.");
  await assertMigrated(url);
  tagDatabaseConnections("web");
  const running: { web?: TWebServer } = {};
  installShutdown({
    steps: [{ name: "HTTP", run: async () => reportDrain(await running.web?.drain()) }, closePoolsStep],
  });
  running.web = await startWebServer({ host: config.HOST, port: config.PORT });
  log(`Driftline web (pid ${process.pid}) is running at ${running.web.url}`);
}

main().catch(exitOnStartError);
