import { env } from "@/env";
import { openDatabase } from "@/server/db/open-database";
import { migrateUp } from "@/server/db/migrations";
import { enqueueDetectionRun } from "@/server/services/detection/enqueue-detection-run";
import { buildIfNeeded } from "./build-if-needed";
import { closePoolsStep, reportDrain, exitOnStartError, installShutdown, log, tagDatabaseConnections } from "./process-role";
import { startWorkerRole, type TWorkerRole } from "./run-worker";
import { startWebServer, type TWebServer } from "./serve-web";
import { firstStart } from "./seed-if-empty";

/**
 * `npm start`: one process for a single machine — database (embedded unless DATABASE_URL),
 * migrations, demo data on an empty database (development only), the web server and the
 * background worker.
 * Shutdown runs in reverse: stop accepting HTTP, drain, stop jobs, then the database last.
 * (`npm run start:web` and `npm run start:worker` run one role each: DEPLOYMENT.md.)
 */
async function main(): Promise<void> {
  const config = env();
  buildIfNeeded(log);
  const database = await openDatabase({ attach: false });
  let web: TWebServer | undefined;
  let worker: TWorkerRole | undefined;

  installShutdown({
    steps: [
      { name: "HTTP", run: async () => reportDrain(await web?.drain()) },
      { name: "worker", run: async () => await worker?.stop() },
      closePoolsStep,
      { name: "database", run: () => database.stop() },
    ],
  });

  try {
    await migrateUp(database.url);
    const seeded = await firstStart(database.url, config, log);
    tagDatabaseConnections("all");
    web = await startWebServer({ host: config.HOST, port: config.PORT });
    worker = await startWorkerRole();
    // The demo's first detection runs, so its planted drifts are on the dashboard from the start.
    for (const customerId of seeded) await enqueueDetectionRun(customerId, { trigger: "SCHEDULED" });
  } catch (error) {
    await database.stop();
    throw error;
  }

  log(`\nDriftline is running at ${web.url}`);
  log(`Database: ${database.owned ? `embedded PostgreSQL in ${config.DRIFTLINE_DATA_DIR}` : "DATABASE_URL"}`);
  if (config.SEED_DEMO_DATA) {
    log("Demo sign-ins (password driftline-demo):");
    log("  admin@northwind-clinic.example, analyst@northwind-clinic.example, viewer@northwind-clinic.example");
    log("  superuser@driftline.example");
  }
}

main().catch(exitOnStartError);
