import { env } from "@/env";
import { openDatabase, useAppLogins } from "@/server/db/open-database";
import { migrateUp } from "@/server/db/migrations";
import { enqueueDetectionRun } from "@/server/services/detection/detection-runs";
import { buildIfNeeded } from "./build-if-needed";
import { assertMigrated, closePoolsStep, reportDrain, exitOnStartError, installShutdown, log, tagDatabaseConnections } from "./process-role";
import { startWorkerRole, type TWorkerRole } from "./run-worker";
import { startWebServer, type TWebServer } from "./serve-web";
import { firstStart } from "./seed-if-empty";

/**
 * `npm start`: one process for a single machine — database (embedded unless configured),
 * migrations as the owner, the application's two logins (created here unless configured: never
 * the owner), demo data on an empty database (development only), the web server and the
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
    if (database.ownerUrl) await migrateUp(database.ownerUrl);
    const logins = await useAppLogins(database);
    if (!database.ownerUrl) await assertMigrated(logins.platformUrl);
    // Seeding writes what any platform path may write: the platform login, not the owner.
    const seeded = await firstStart(logins.platformUrl, config, log);
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
  log(
    `Database: ${database.embedded ? `embedded PostgreSQL in ${config.DRIFTLINE_DATA_DIR}` : "configured PostgreSQL"} (application logins: platform and tenant, not the owner)`,
  );
  if (config.SEED_DEMO_DATA) {
    log("Demo sign-ins (password driftline-demo):");
    log("  admin@northwind-clinic.example, analyst@northwind-clinic.example, viewer@northwind-clinic.example");
    log("  superuser@driftline.example");
  }
}

main().catch(exitOnStartError);
