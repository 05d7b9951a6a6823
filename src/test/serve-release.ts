import path from "node:path";
import { pathToFileURL } from "node:url";

/**
 * Runs one release's web tier for src/test/rolling-upgrade.test.ts: started with the release's
 * checkout as its working directory (`node --import tsx …/serve-release.ts <mode>`), it loads
 * that release's own code — its route handlers behind its test REST server (src/test/factories.ts,
 * the same route files `next start` serves), its migrations, its Prisma client — never this
 * checkout's. Imports are by path from the working directory, so the file works for any release
 * that has those modules. Prints one JSON line per step on stdout.
 *
 *   migrate        applies the release's migrations (MIGRATION_DATABASE_URL) and exits
 *   serve [--seed] serves /api on 127.0.0.1 (free port) until SIGTERM; --seed first creates a
 *                  tenant and prints an ADMIN API key
 */
const release = process.cwd();
const load = <T>(file: string): Promise<T> => import(pathToFileURL(path.join(release, file)).href) as Promise<T>;
const say = (message: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(message)}\n`);

interface TFactories {
  createTestTenant(): Promise<{ keys: { ADMIN: { key: string } } }>;
  startRestServer(): Promise<{ origin: string; close(): Promise<void> }>;
}

async function main(): Promise<void> {
  const mode = process.argv[2];
  if (mode === "migrate") {
    const migrations = await load<{ migrateUp(url: string): Promise<string> }>("src/server/db/migrations.ts");
    await migrations.migrateUp(process.env.MIGRATION_DATABASE_URL!);
    say({ migrated: true });
    process.exit(0);
  }
  const factories = await load<TFactories>("src/test/factories.ts");
  if (process.argv.includes("--seed")) {
    const tenant = await factories.createTestTenant();
    say({ adminKey: tenant.keys.ADMIN.key });
  }
  const server = await factories.startRestServer();
  process.once("SIGTERM", () => {
    void server.close().finally(() => process.exit(0));
  });
  say({ origin: server.origin });
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
