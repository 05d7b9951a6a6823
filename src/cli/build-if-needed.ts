import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

/** Newest modification time under the given paths (files and directories, recursively). */
function newestMtime(paths: string[]): number {
  let newest = 0;
  const visit = (target: string) => {
    if (!existsSync(target)) return;
    const stat = statSync(target);
    newest = Math.max(newest, stat.mtimeMs);
    if (stat.isDirectory()) for (const entry of readdirSync(target)) visit(path.join(target, entry));
  };
  paths.forEach(visit);
  return newest;
}

/** Runs `next build` when there is no build or a source file is newer than it. */
export function buildIfNeeded(log: (message: string) => void): void {
  const buildId = path.resolve(".next/BUILD_ID");
  const sources = ["src", "public", "next.config.mjs", "package-lock.json", "tsconfig.json"].map((p) => path.resolve(p));
  if (existsSync(buildId) && statSync(buildId).mtimeMs >= newestMtime(sources)) return;
  log("Building the web app (next build)…");
  const result = spawnSync(process.execPath, [path.resolve("node_modules/next/dist/bin/next"), "build"], { stdio: "inherit" });
  if (result.status !== 0) throw new Error("next build failed; see the output above.");
}
