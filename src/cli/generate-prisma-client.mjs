#!/usr/bin/env node
// The package's `postinstall`: generates the Prisma client into src/generated/prisma
// (git-ignored) from prisma/schema.prisma.
//
// Why a wrapper instead of `prisma generate` in package.json: Prisma's CLI downloads its native
// schema engine from binaries.prisma.sh before running *any* command, even `generate` and
// `--help`, and that site is unreachable here (only the npm registry is). Generation itself never
// runs the schema engine, so pointing PRISMA_SCHEMA_ENGINE_BINARY at any existing executable
// skips the download. `prisma migrate` stays unusable, which is fine: dbmate owns the schema.
//
// Plain .mjs (not .ts) because it runs during `npm install`, before anything else is ready.
import { spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const require = createRequire(path.join(repoRoot, "package.json"));

function isExecutable(file) {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function resolvePrismaCli() {
  try {
    const pkgPath = require.resolve("prisma/package.json");
    const pkg = require(pkgPath);
    const bin = typeof pkg.bin === "string" ? pkg.bin : pkg.bin?.prisma;
    return bin ? path.join(path.dirname(pkgPath), bin) : null;
  } catch {
    return null;
  }
}

const prismaCli = resolvePrismaCli();
if (!prismaCli) {
  // A production install without devDependencies (`npm ci --omit=dev`) has no Prisma CLI; the
  // client must then come from the build step. Failing here would only abort the install.
  console.warn("[generate-prisma-client] prisma CLI not installed; skipping client generation.");
  process.exit(0);
}

// Keep an engine the caller chose; otherwise any executable will do (generation never runs
// it). /bin/true is the obvious choice; Node's own binary exists on every machine that can run
// this script, so it is the portable fallback.
const engineBinary =
  process.env.PRISMA_SCHEMA_ENGINE_BINARY && isExecutable(process.env.PRISMA_SCHEMA_ENGINE_BINARY)
    ? process.env.PRISMA_SCHEMA_ENGINE_BINARY
    : (["/bin/true", "/usr/bin/true"].find(isExecutable) ?? process.execPath);

const child = spawn(process.execPath, [prismaCli, "generate", "--no-hints"], {
  cwd: repoRoot,
  stdio: "inherit",
  env: {
    ...process.env,
    PRISMA_SCHEMA_ENGINE_BINARY: engineBinary,
    // No telemetry or update checks: they would only time out against the closed network.
    CHECKPOINT_DISABLE: "1",
    PRISMA_HIDE_UPDATE_MESSAGE: "1",
  },
});

child.on("error", (error) => {
  console.error(`[generate-prisma-client] could not start prisma: ${error.message}`);
  process.exit(1);
});
child.on("exit", (code, signal) => {
  if (signal) console.error(`[generate-prisma-client] prisma generate killed by ${signal}`);
  process.exit(code ?? 1);
});
