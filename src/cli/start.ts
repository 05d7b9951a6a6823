import http from "node:http";
import next from "next";
import { env, EnvError } from "@/env";
import { disconnectDb } from "@/server/db/client";
import { closeRateLimitStore } from "@/server/lib/rate-limit";
import { openDatabase } from "@/server/db/open-database";
import { migrateUp } from "@/server/db/migrations";
import { stopQueue } from "@/server/jobs/queue";
import { startWorker, stopWorker } from "@/server/jobs/worker";
import { buildIfNeeded } from "./build-if-needed";
import { seedIfEmpty } from "./seed-if-empty";

/**
 * `npm start`: one process for a single machine — database (embedded unless DATABASE_URL),
 * migrations, demo data on an empty database, the web server and the background worker.
 * Shutdown runs in reverse: stop accepting HTTP, drain, stop jobs, then the database last.
 */
const log = (message: string) => console.log(message);

function listen(server: http.Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(error.code === "EADDRINUSE" ? new Error(`Port ${port} is already in use: stop what uses it, or set PORT.`) : error),
    );
    server.listen(port, host, () => resolve());
  });
}

async function main(): Promise<void> {
  const config = env();
  buildIfNeeded(log);
  const database = await openDatabase({ attach: false });
  let shutdownStartedAt = 0;
  let server: http.Server | undefined;

  const shutdown = async (signal: string) => {
    if (shutdownStartedAt) {
      // A launcher (npm, tsx) may relay the same Ctrl-C a moment later: only a deliberate
      // second signal forces the exit.
      if (Date.now() - shutdownStartedAt < 2000) return;
      log(`${signal} again: exiting now.`);
      process.exit(1);
    }
    shutdownStartedAt = Date.now();
    log(`${signal}: shutting down…`);
    const force = setTimeout(() => {
      log("Shutdown timed out; exiting.");
      process.exit(1);
    }, 30_000);
    force.unref();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server?.closeAllConnections();
    await stopWorker().catch(() => {});
    await stopQueue({ graceful: true }).catch(() => {});
    await disconnectDb().catch(() => {});
    await closeRateLimitStore().catch(() => {});
    await database.stop();
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));

  try {
    await migrateUp(database.url);
    if (config.SEED_DEMO_DATA) await seedIfEmpty(database.url, config.SEED_DEMO_CLAIMS, log);

    const app = next({ dev: false, dir: process.cwd(), hostname: config.HOST, port: config.PORT });
    await app.prepare();
    const handle = app.getRequestHandler();
    server = http.createServer((req, res) => {
      // The client address for rate limits and audit, from the socket: never from the caller.
      req.headers["x-driftline-client-ip"] = req.socket.remoteAddress ?? "unknown";
      void handle(req, res);
    });
    // Let idle keep-alive sockets close promptly on shutdown.
    server.keepAliveTimeout = 5_000;
    await listen(server, config.PORT, config.HOST);
    await startWorker();
  } catch (error) {
    await database.stop();
    throw error;
  }

  const url = `http://${config.HOST === "0.0.0.0" ? "localhost" : config.HOST}:${config.PORT}`;
  log(`\nDriftline is running at ${url}`);
  log(`Database: ${database.owned ? `embedded PostgreSQL in ${config.DRIFTLINE_DATA_DIR}` : "DATABASE_URL"}`);
  if (config.SEED_DEMO_DATA) {
    log("Demo sign-ins (password driftline-demo):");
    log("  admin@northwind-clinic.example, analyst@northwind-clinic.example, viewer@northwind-clinic.example");
    log("  superuser@driftline.example");
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof EnvError || error instanceof Error ? `driftline: ${error.message}` : error);
  process.exit(1);
});
