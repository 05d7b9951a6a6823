import js from "@eslint/js";
import tseslint from "typescript-eslint";

const UNSCOPED_MESSAGE =
  "Tenant code uses the tenant handle (tenantDb / withTenantTransaction in @/server/db/tenant-scope). The platform login is for src/server/db, auth, jobs, the CLI and the files listed in UNSCOPED_DATABASE_IMPORTERS (eslint.config.mjs), each with its reason.";

/**
 * The files outside the platform folders that use the platform login today, each with why. The
 * list only shrinks: a new file that needs the platform login belongs in a platform folder or is
 * added here with its reason, in review.
 */
const UNSCOPED_DATABASE_IMPORTERS = [
  ["src/server/api/context.ts", "authentication: resolves an API key and the caller's memberships before any tenant is known"],
  [
    "src/server/api/routers/reports/index.ts",
    "audits a manual detection trigger on the platform login, like every audit row written outside a tenant transaction",
  ],
  ["src/server/lib/rate-limit.ts", "rate-limit counters are platform data shared by all tenants (raw pg pool)"],
  ["src/server/services/auth/sign-in.ts", "sign-in: the account and its memberships are looked up before a tenant is chosen"],
  ["src/server/services/claims/read-claims.ts", "audit rows for PHI reads are written on the platform login after the scoped read"],
  ["src/server/services/customers/manage-customers.ts", "superuser administration of tenants: crosses tenants by definition"],
  ["src/server/services/detection/detection-runs.ts", "background runs: queue, claim and complete in the worker, and the daily job enqueues every tenant"],
  ["src/server/services/detection/run-detection.ts", "background runs: the read-only metrics transaction and the write of drift events in the worker"],
  ["src/server/services/email/compose-alert-email.ts", "e-mail outbox worker: reads the alert of a claimed delivery"],
  ["src/server/services/email/send-alert-emails.ts", "e-mail outbox worker: claims and records deliveries of all tenants"],
  ["src/server/services/exports/exports.ts", "export worker claim and the download audit row"],
  ["src/server/services/health/worker-heartbeat.ts", "worker heartbeats are platform data"],
  [
    "src/server/services/ingestion/ingest-pool.ts",
    "the COPY pool of the claim-line writer (raw pg on the platform login; every statement names customer_id by hand)",
  ],
  ["src/server/services/ingestion/list-catalogues.ts", "the CPT group catalogue is shared, not a tenant's rows"],
  ["src/server/services/metrics/collect-metrics.ts", "Prometheus gauges count across tenants"],
  ["src/server/services/users/disable-accounts.ts", "a user account spans tenants (its memberships)"],
  ["src/server/services/users/manage-invitations.ts", "accepting an invitation happens before the person is a member"],
  ["src/server/services/users/reset-passwords.ts", "password resets happen before sign-in"],
  ["src/server/services/underpayments/export-underpayments.ts", "audit rows for PHI reads are written on the platform login after the scoped read"],
  ["src/server/services/underpayments/list-underpayments.ts", "audit rows for PHI reads are written on the platform login after the scoped read"],
  ["src/server/services/webhooks/claim-due-deliveries.ts", "webhook dispatcher: claims due deliveries of all tenants"],
  ["src/server/services/webhooks/record-delivery-attempt.ts", "webhook dispatcher: records attempts of all tenants"],
];

export default tseslint.config(
  {
    ignores: [
      "node_modules/",
      ".next/",
      ".data/",
      "src/generated/",
      "examples/typescript-client/driftline-api.d.ts",
      "next-env.d.ts",
      "test-results/",
      "playwright-report/",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: "readonly", console: "readonly", URL: "readonly" } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    // One tenant data seam (docs/where-things-live.md): tenant code reaches the database
    // through the tenant handle (tenantDb / withTenantTransaction of src/server/db/tenant-scope.ts),
    // never through the platform login. The unscoped client, platform transactions and raw pg pools
    // belong to the platform folders, which this block does not cover: src/server/db, src/server/auth,
    // src/server/jobs (workers), src/cli, and tests. Type imports (TTx, TSqlTx, TDb) are fine.
    files: ["src/**/*.ts", "src/**/*.tsx"],
    ignores: [
      "src/generated/**",
      "src/server/db/**",
      "src/server/auth/**",
      "src/server/jobs/**",
      "src/cli/**",
      "src/test/**",
      "**/*.test.ts",
      "**/*.fixture.ts",
      ...UNSCOPED_DATABASE_IMPORTERS.map(([file]) => file),
    ],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          paths: [
            { name: "@/server/db/client", importNames: ["db", "tenantClient", "createPrismaClient"], message: UNSCOPED_MESSAGE, allowTypeImports: true },
            { name: "@/server/db/transaction", importNames: ["withTransaction", "retryWriteConflicts"], message: UNSCOPED_MESSAGE, allowTypeImports: true },
            { name: "@/server/db/tenant-scope", importNames: ["unscopedDb"], message: UNSCOPED_MESSAGE, allowTypeImports: true },
            { name: "pg", message: UNSCOPED_MESSAGE, allowTypeImports: true },
          ],
          patterns: [
            {
              regex: "^\\.\\.?/(.*/)?db/(client|transaction|tenant-scope)$",
              message: "Import the database modules as @/server/db/…, so the tenant-seam rule sees them.",
            },
          ],
        },
      ],
    },
  },
  {
    // The UI never imports server code (ARCHITECTURE.md); types (AppRouter) are fine.
    files: ["src/components/**", "src/trpc/**"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        { patterns: [{ group: ["@/server/*", "**/server/**"], message: "UI code must not import server code.", allowTypeImports: true }] },
      ],
    },
  },
);
