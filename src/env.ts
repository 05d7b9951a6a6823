import { z } from "zod";
import { parseTrustedProxies } from "@/server/lib/client-address";

/**
 * Every environment variable Driftline reads, validated in one place. A bad value stops the
 * process with a message naming the variable (README.md lists them all).
 */
const booleanString = z.enum(["true", "false", "1", "0"]).transform((value) => value === "true" || value === "1");

const durationList = z.string().regex(/^\s*\d+(ms|s|m|h)\s*(,\s*\d+(ms|s|m|h)\s*)*$/, "comma-separated durations such as 0s,5s,5m,30m,2h");

const postgresUrl = z.string().regex(/^postgres(ql)?:\/\/[^\s]+$/, "must be a postgres:// or postgresql:// URL");

// Development and test get fixed keys so a fresh clone runs with no set-up; production must
// provide its own (checked below).
const DEV_KEY = "driftline-development-key-do-not-use-in-production";

const ZEnv = z
  .object({
    NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
    // Next.js sets NODE_ENV=production for every build and `next start`, demo included, so the
    // deployment's own mode is a separate variable: production demands real secrets.
    DRIFTLINE_MODE: z.enum(["development", "production"]).default("development"),
    // Three logins (SECURITY.md "Database roles", DEPLOYMENT.md): the application's platform
    // login, its tenant login, and the owner that only migrations use. Unset with the embedded
    // database: `npm start` creates the two application logins itself.
    DATABASE_URL: postgresUrl.optional(),
    DATABASE_TENANT_URL: postgresUrl.optional(),
    MIGRATION_DATABASE_URL: postgresUrl.optional(),
    // A streaming replica's tenant login (DEPLOYMENT.md, "Read replica"): dashboards, scorecards,
    // lists and exports read there when it has caught up; unset, everything reads the primary.
    DATABASE_REPLICA_URL: postgresUrl.optional(),
    REPLICA_MAX_LAG_SECONDS: z.coerce.number().positive().max(3600).default(5),
    DRIFTLINE_DATA_DIR: z.string().min(1).default(".data"),
    HOST: z.string().min(1).default("127.0.0.1"),
    PORT: z.coerce.number().int().min(1).max(65535).default(3000),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    AUTH_SECRET: z.string().min(32, "must be at least 32 characters").default(DEV_KEY),
    SESSION_IDLE_MINUTES: z.coerce
      .number()
      .positive()
      .max(24 * 60)
      .default(15),
    SESSION_MAX_HOURS: z.coerce
      .number()
      .positive()
      .max(24 * 30)
      .default(12),
    PATIENT_HASH_KEY: z.string().min(32, "must be at least 32 characters").default(DEV_KEY),
    WEBHOOK_SECRET_KEY: z.string().min(32, "must be at least 32 characters").default(DEV_KEY),
    WEBHOOK_RETRY_SCHEDULE: durationList.default("0s,5s,5m,30m,2h"),
    WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(15_000),
    ALLOW_PRIVATE_WEBHOOK_TARGETS: booleanString.default(false),
    SMTP_URL: z
      .string()
      .regex(/^smtps?:\/\//, "must be an smtp:// or smtps:// URL")
      .optional(),
    // Where people open Driftline (e.g. https://driftline.example.org): links in invitation and
    // password-reset e-mails start with it, never with a request's Host header, which a caller
    // chooses. Without it (or without SMTP_URL) links are shown once instead of e-mailed.
    PUBLIC_URL: z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).optional(),
    UPLOAD_MAX_BYTES: z.coerce
      .number()
      .int()
      .positive()
      .default(100 * 1024 * 1024),
    UPLOAD_MAX_ROWS: z.coerce.number().int().positive().default(2_000_000),
    // X12 835 files: segments and elements per file, refused (413) while the file is read.
    X12_MAX_SEGMENTS: z.coerce.number().int().positive().default(5_000_000),
    X12_MAX_ELEMENTS: z.coerce.number().int().positive().default(40_000_000),
    // Demo data (published password) defaults on in development and off in production, where
    // asking for it is refused (SECURITY.md, finding 3). Resolved after the object parses.
    SEED_DEMO_DATA: booleanString.optional(),
    SEED_DEMO_CLAIMS: z.coerce.number().int().min(1000).max(20_000_000).default(300_000),
    // Operations (DEPLOYMENT.md): metrics access, worker roles and readiness.
    METRICS_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
    // Reverse proxies whose X-Forwarded-For is believed (addresses or CIDR ranges, comma-separated).
    TRUSTED_PROXIES: z
      .string()
      .optional()
      .superRefine((value, ctx) => {
        try {
          parseTrustedProxies(value);
        } catch (error) {
          ctx.addIssue({ code: "custom", message: (error as Error).message });
        }
      }),
    WORKER_QUEUES: z
      .string()
      .regex(/^\s*[a-z0-9-]+\s*(,\s*[a-z0-9-]+\s*)*$/, "comma-separated queue names such as detection-run,webhook-sweep")
      .optional(),
    WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(32).default(1),
    WORKER_HEARTBEAT_STALE_SECONDS: z.coerce.number().int().min(0).max(86_400).default(60),
    WORKER_METRICS_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  })
  .transform((env) => ({ ...env, SEED_DEMO_DATA: env.SEED_DEMO_DATA ?? env.DRIFTLINE_MODE !== "production" }))
  .superRefine((env, ctx) => {
    if (env.DRIFTLINE_MODE !== "production") return;
    for (const key of ["AUTH_SECRET", "PATIENT_HASH_KEY", "WEBHOOK_SECRET_KEY"] as const) {
      if (env[key] === DEV_KEY) {
        ctx.addIssue({ code: "custom", path: [key], message: "must be set in production" });
      }
    }
    // Without a token, metrics fall back to "loopback callers only", which a misconfigured proxy
    // turns into "everyone": production names its scraper instead.
    if (!env.METRICS_TOKEN) {
      ctx.addIssue({ code: "custom", path: ["METRICS_TOKEN"], message: "must be set in production (Prometheus sends it as a bearer token)" });
    }
    if (env.SEED_DEMO_DATA) {
      ctx.addIssue({
        code: "custom",
        path: ["SEED_DEMO_DATA"],
        message:
          "is refused in production (the demo accounts share a published password); create the first admin with `npm run driftline -- create-user --superuser`",
      });
    }
    if (env.ALLOW_PRIVATE_WEBHOOK_TARGETS) {
      ctx.addIssue({
        code: "custom",
        path: ["ALLOW_PRIVATE_WEBHOOK_TARGETS"],
        message: "is refused in production",
      });
    }
  });

export type TEnv = z.infer<typeof ZEnv>;

export class EnvError extends Error {}

/** Parses an environment; throws EnvError whose message names each bad variable. */
export function parseEnv(source: Record<string, string | undefined>): TEnv {
  // Empty strings mean "unset", as they do in most .env tooling.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ""));
  const result = ZEnv.safeParse(cleaned);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
  throw new EnvError(`Invalid environment variable${lines.length > 1 ? "s" : ""}:\n  ${lines.join("\n  ")}`);
}

let cached: TEnv | undefined;

/** The validated process environment (read once; DATABASE_URL may be set later by start-up). */
export function env(): TEnv {
  cached ??= parseEnv(process.env);
  return cached;
}

/**
 * The application's platform login once start-up has resolved it (embedded or configured): the
 * cross-tenant paths (authentication, superuser pages, workers, ingestion, rate limits, queue).
 */
export function databaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new EnvError("DATABASE_URL is not set: start Driftline with `npm start` or set it.");
  return url;
}

/** The tenant login (a member of driftline_app only): every tenant-scoped statement. */
export function tenantDatabaseUrl(): string {
  const url = process.env.DATABASE_TENANT_URL;
  if (!url) throw new EnvError("DATABASE_TENANT_URL is not set: start Driftline with `npm start` or set it (DEPLOYMENT.md).");
  return url;
}
