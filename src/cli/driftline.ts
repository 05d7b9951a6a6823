import { parseArgs } from "node:util";
import { z } from "zod";
import { EnvError } from "@/env";
import { db, disconnectDb } from "@/server/db/client";
import { migrateDown, migrateUp, migrationVersions, pendingVersions } from "@/server/db/migrations";
import { DEFAULT_LOGIN_NAMES, freshLoginPasswords, provisionAppLogins } from "@/server/db/app-logins";
import { openDatabase, useAppLogins } from "@/server/db/open-database";
import { verifyAuditChain } from "@/server/lib/audit";
import { AppError } from "@/server/lib/errors";
import { closeRateLimitStore } from "@/server/lib/rate-limit";
import { createApiKey } from "@/server/services/api-keys/create-api-key";
import { createCustomer } from "@/server/services/customers/create-customer";
import { setAccountDisabled } from "@/server/services/users/disable-accounts";
import { createUser, ZMemberRole } from "@/server/services/users/create-user";
import { issuePasswordReset, ZEmail } from "@/server/services/users/reset-passwords";
import { readPassword } from "./read-password";
import { runDetectionNow } from "@/server/services/detection/detection-runs";
import { seedDemo } from "../../prisma/seed/seed-demo";

/**
 * The operator CLI: `npm run driftline -- <command> [flags]`. Works next to a running
 * `npm start` (it attaches to the same embedded database) and on its own (it starts the
 * database, does the job and stops it). Results go to stdout; messages to stderr.
 */
const USAGE = `Usage: npm run driftline -- <command> [flags]

Commands:
  migrate                                   apply pending migrations (as the owner login)
  rollback [--steps N | --all]              roll back the newest migration (or N, or all)
  create-logins                             create (or reset the passwords of) the application's
                                            two database logins through MIGRATION_DATABASE_URL;
                                            prints DATABASE_URL and DATABASE_TENANT_URL
  seed [--tenants N] [--claims M] [--random-seed S]
                                            add generated demo tenants, users and claim lines
  create-customer --slug S --name N         create a tenant
  create-user --email E (--customer S --role R | --superuser) [--name N]
                                            create a user (role: VIEWER, ANALYST or ADMIN); the
                                            password is typed at a prompt or piped on stdin,
                                            never given on the command line
  reset-password --email E                  issue a single-use password-reset link (e-mailed
                                            when SMTP_URL and PUBLIC_URL are set, else printed)
  disable-user --email E | enable-user --email E
                                            disable (ends sessions, revokes the keys it made)
                                            or re-enable an account
  create-api-key --customer S --role R [--name N]
                                            create an API key; prints only the key
  run-detection --customer S [--as-of YYYY-MM-DD]
                                            run drift detection for a tenant now; prints the run
  verify-audit [--customer S]               check the audit hash chains (all, or one tenant's);
                                            exits 1 when a row was changed, removed or reordered
`;

class UsageError extends Error {}

/** Commands that run as the owner (MIGRATION_DATABASE_URL, or the embedded server's). */
const OWNER_COMMANDS = new Set(["migrate", "rollback", "create-logins"]);

const positiveInt = (flag: string) =>
  z.coerce
    .number({ error: `--${flag} must be a number` })
    .int(`--${flag} must be a whole number`)
    .positive(`--${flag} must be positive`);

type TFlags = Record<string, string | boolean | undefined>;

function required(flags: TFlags, name: string): string {
  const value = flags[name];
  if (typeof value !== "string" || value === "") throw new UsageError(`--${name} is required`);
  return value;
}

async function customerIdFor(slug: string): Promise<string> {
  const customer = await db().customer.findUnique({ where: { slug }, select: { id: true } });
  if (!customer) throw new UsageError(`no customer with slug "${slug}"`);
  return customer.id;
}

const COMMANDS: Record<string, { flags: Record<string, { type: "string" | "boolean" }>; run: (flags: TFlags, url: string) => Promise<void> }> = {
  migrate: {
    flags: {},
    run: async (_flags, url) => {
      await migrateUp(url);
      console.error(`Migrations applied (${migrationVersions().length} in all).`);
    },
  },
  rollback: {
    flags: { steps: { type: "string" }, all: { type: "boolean" } },
    run: async (flags, url) => {
      const steps = flags.all ? Infinity : flags.steps ? positiveInt("steps").parse(flags.steps) : 1;
      const done = await migrateDown(url, steps);
      console.error(`Rolled back ${done} migration(s).`);
    },
  },
  "create-logins": {
    flags: {},
    run: async (_flags, ownerUrl) => {
      const logins = await provisionAppLogins(ownerUrl, freshLoginPasswords());
      console.error(`Logins ${DEFAULT_LOGIN_NAMES.platform} and ${DEFAULT_LOGIN_NAMES.tenant} are ready (new passwords).`);
      console.log(`DATABASE_URL=${logins.platformUrl}`);
      console.log(`DATABASE_TENANT_URL=${logins.tenantUrl}`);
    },
  },
  seed: {
    flags: { tenants: { type: "string" }, claims: { type: "string" }, "random-seed": { type: "string" } },
    run: async (flags, url) => {
      const summary = await seedDemo(url, {
        tenants: flags.tenants ? positiveInt("tenants").parse(flags.tenants) : undefined,
        claims: flags.claims ? positiveInt("claims").parse(flags.claims) : undefined,
        randomSeed: flags["random-seed"] ? positiveInt("random-seed").parse(flags["random-seed"]) : undefined,
        log: (message: string) => console.error(message),
      });
      console.log(JSON.stringify({ tenants: summary.tenants.map((t) => ({ slug: t.slug, claims: t.claimCount })) }));
    },
  },
  "create-customer": {
    flags: { slug: { type: "string" }, name: { type: "string" } },
    run: async (flags) => {
      const customer = await createCustomer(db(), { slug: required(flags, "slug"), name: required(flags, "name") });
      console.log(customer.id);
    },
  },
  "create-user": {
    flags: {
      email: { type: "string" },
      password: { type: "string" },
      customer: { type: "string" },
      role: { type: "string" },
      superuser: { type: "boolean" },
      name: { type: "string" },
    },
    run: async (flags) => {
      if (flags.password !== undefined) {
        throw new UsageError(
          "--password is refused: a password on the command line is visible to other users (ps, shell history). Type it at the prompt or pipe it on stdin.",
        );
      }
      const superuser = flags.superuser === true;
      if (!superuser && (!flags.customer || !flags.role)) throw new UsageError("give --customer and --role, or --superuser");
      const membership = flags.customer
        ? { customerId: await customerIdFor(required(flags, "customer")), role: ZMemberRole.parse(required(flags, "role")) }
        : undefined;
      const user = await createUser(db(), {
        email: required(flags, "email"),
        password: await readPassword(),
        name: typeof flags.name === "string" ? flags.name : "",
        superuser,
        membership,
      });
      console.log(user.id);
    },
  },
  "reset-password": {
    flags: { email: { type: "string" } },
    run: async (flags) => {
      const issued = await issuePasswordReset(null, ZEmail.parse(required(flags, "email")));
      if (issued.link) console.log(issued.link);
      console.error(
        issued.delivery === "LINK"
          ? "Single-use link (1 hour): give it to the account's owner; prefix it with Driftline's address."
          : `Reset link e-mail: ${issued.delivery}.`,
      );
    },
  },
  "disable-user": {
    flags: { email: { type: "string" } },
    run: async (flags) => {
      const done = await setAccountDisabled(null, { email: ZEmail.parse(required(flags, "email")), disabled: true });
      console.error(`Disabled ${done.email}; ${done.revokedApiKeys} API key(s) it created revoked.`);
    },
  },
  "enable-user": {
    flags: { email: { type: "string" } },
    run: async (flags) => {
      const done = await setAccountDisabled(null, { email: ZEmail.parse(required(flags, "email")), disabled: false });
      console.error(`Enabled ${done.email}.`);
    },
  },
  "create-api-key": {
    flags: { customer: { type: "string" }, role: { type: "string" }, name: { type: "string" } },
    run: async (flags) => {
      const customerId = await customerIdFor(required(flags, "customer"));
      const created = await createApiKey(
        db(),
        { customerId },
        {
          name: typeof flags.name === "string" ? flags.name : "CLI key",
          role: ZMemberRole.parse(required(flags, "role")),
        },
      );
      console.log(created.key);
    },
  },
  "run-detection": {
    flags: { customer: { type: "string" }, "as-of": { type: "string" } },
    run: async (flags) => {
      const run = await runDetectionNow(await customerIdFor(required(flags, "customer")), typeof flags["as-of"] === "string" ? flags["as-of"] : undefined);
      console.log(JSON.stringify(run, null, 2));
      if (run.status !== "SUCCEEDED") process.exitCode = 1;
    },
  },
  "verify-audit": {
    flags: { customer: { type: "string" } },
    run: async (flags) => {
      const scope = typeof flags.customer === "string" ? await customerIdFor(flags.customer) : "all";
      const result = await verifyAuditChain(db(), scope);
      for (const problem of result.problems) console.log(`${problem.customerId ?? "platform"} seq ${problem.seq}: ${problem.kind} — ${problem.message}`);
      console.error(
        result.ok
          ? `Audit chain intact (${result.checked} rows checked).`
          : `Audit chain BROKEN: ${result.problems.length} problem(s) in ${result.checked} rows.`,
      );
      if (!result.ok) process.exitCode = 1;
    },
  },
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const command = name ? COMMANDS[name] : undefined;
  if (!command) {
    console.error(name && name !== "help" && name !== "--help" ? `Unknown command "${name}".\n\n${USAGE}` : USAGE);
    return name === "help" || name === "--help" ? 0 : 2;
  }
  let flags: TFlags;
  try {
    flags = parseArgs({ args: rest, options: command.flags, strict: true, allowPositionals: false }).values as TFlags;
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const database = await openDatabase({ attach: true });
  try {
    if (OWNER_COMMANDS.has(name!)) {
      // Only these log in as the owner; every other command runs as the application does.
      if (!database.ownerUrl) throw new UsageError(`${name} needs the owner login: set MIGRATION_DATABASE_URL`);
      await command.run(flags, database.ownerUrl);
      return Number(process.exitCode ?? 0);
    }
    // Every other command needs the current schema: a fresh data dir gets it.
    if (database.ownerUrl && (await pendingVersions(database.ownerUrl)).length > 0) await migrateUp(database.ownerUrl);
    const logins = await useAppLogins(database);
    await command.run(flags, logins.platformUrl);
    return Number(process.exitCode ?? 0);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`driftline ${name}: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    if (error instanceof z.ZodError) {
      console.error(`driftline ${name}: ${error.issues.map((i) => `${i.path.join(".") || "input"}: ${i.message}`).join("; ")}`);
      return 2;
    }
    if (error instanceof AppError) {
      console.error(`driftline ${name}: ${error.message}`);
      return 1;
    }
    throw error;
  } finally {
    await disconnectDb();
    await closeRateLimitStore();
    await database.stop();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`driftline: ${error instanceof EnvError || error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
