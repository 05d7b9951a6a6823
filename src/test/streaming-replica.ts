import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync, appendFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { freshLoginPasswords, provisionAppLogins, type TAppLogins } from "@/server/db/app-logins";
import { binaries, freePort, openEmbeddedDatabase, runAsIds, type TDatabaseHandle } from "@/server/db/embedded-postgres";
import { migrateUp } from "@/server/db/migrations";

/**
 * A primary and a real streaming replica from the embedded PostgreSQL binaries, in a temporary
 * directory of their own (the shared test server is never touched): the primary is the usual
 * embedded server (wal_level replica and a replication pg_hba line are initdb's defaults),
 * migrated and given the two application logins; the replica is an online base backup of it
 * (pg_backup_start, copy, pg_backup_stop's backup_label) started with standby.signal,
 * primary_conninfo and a physical replication slot, so it streams WAL from the primary.
 */

const SLOT = "driftline_test_replica";

export interface TStreamingReplica {
  /** The primary's superuser (owner) URL. */
  primary: TDatabaseHandle;
  /** The application's logins on the primary. */
  logins: TAppLogins;
  /** The tenant login on the replica host: what DATABASE_REPLICA_URL is in production. */
  replicaTenantUrl: string;
  /** The superuser on the replica (pausing replay, looking at its activity). */
  replicaAdminUrl: string;
  /** The replica's server log since start: every statement, each line prefixed with the user name. */
  replicaLog(): string;
  stopReplica(): Promise<void>;
  /** Stops both servers and removes their data directories. */
  close(): Promise<void>;
}

function onPort(url: string, port: number): string {
  const next = new URL(url);
  next.port = String(port);
  return next.toString();
}

/** A copy of a running data directory, without what a base backup leaves out. */
function copyDataDirectory(from: string, to: string): void {
  execFileSync("cp", ["-a", `${from}/.`, to]);
  for (const file of ["postmaster.pid", "postmaster.opts"]) rmSync(path.join(to, file), { force: true });
  for (const dir of ["pg_wal", "pg_replslot"]) {
    for (const entry of readdirSync(path.join(to, dir))) {
      if (entry !== "archive_status") rmSync(path.join(to, dir, entry), { recursive: true, force: true });
    }
  }
}

function startStandby(postgres: string, pgDir: string, port: number, ids: { uid?: number; gid?: number }, log: string[]): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      postgres,
      [
        ...["-D", pgDir, "-p", String(port), "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", "-c", "max_connections=200"],
        // The test reads which statements this server ran, and as whom.
        ...["-c", "log_statement=all", "-c", "log_line_prefix=user=%u "],
      ],
      { ...ids, detached: true, stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, LC_ALL: "C" } },
    );
    let output = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      log.push(chunk.toString());
      output = (output + chunk.toString()).slice(-4000);
      if (output.includes("ready to accept read-only connections")) resolve(child);
    });
    child.on("exit", (code) => reject(new Error(`The replica exited during start-up (code ${code}): ${output.trim()}`)));
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGINT");
  const timer = setTimeout(() => child.kill("SIGQUIT"), 20_000);
  await exited;
  clearTimeout(timer);
}

export async function startStreamingReplica(): Promise<TStreamingReplica> {
  const root = mkdtempSync(path.join(tmpdir(), "driftline-replica-"));
  // Traversable: as root, PostgreSQL runs as the `postgres` user.
  chmodSync(root, 0o755);
  const primaryDir = path.join(root, "primary");
  const replicaDir = path.join(root, "replica");
  let primary: TDatabaseHandle | undefined;
  let replica: ChildProcess | undefined;
  const close = async () => {
    if (replica) await stopChild(replica);
    await primary?.stop();
    rmSync(root, { recursive: true, force: true });
  };
  try {
    primary = await openEmbeddedDatabase({ dataDir: primaryDir, attach: false });
    await migrateUp(primary.url);
    const logins = await provisionAppLogins(primary.url, freshLoginPasswords());

    const admin = new pg.Client({ connectionString: primary.url });
    await admin.connect();
    try {
      // The slot keeps the WAL from the backup's start until the replica has streamed it.
      await admin.query("SELECT pg_create_physical_replication_slot($1, true)", [SLOT]);
      const pgDir = (await admin.query<{ data_directory: string }>("SHOW data_directory")).rows[0]!.data_directory;
      await admin.query("SELECT pg_backup_start('driftline test replica', true)");
      mkdirSync(replicaDir, { mode: 0o700 });
      copyDataDirectory(pgDir, replicaDir);
      const { labelfile } = (await admin.query<{ labelfile: string }>("SELECT labelfile FROM pg_backup_stop(false)")).rows[0]!;
      writeFileSync(path.join(replicaDir, "backup_label"), labelfile);
    } finally {
      await admin.end();
    }
    const owner = new URL(primary.url);
    const conninfo = `host=127.0.0.1 port=${owner.port} user=${decodeURIComponent(owner.username)} password=${decodeURIComponent(owner.password)} application_name=${SLOT}`;
    writeFileSync(path.join(replicaDir, "standby.signal"), "");
    appendFileSync(path.join(replicaDir, "postgresql.auto.conf"), `primary_conninfo = '${conninfo}'\nprimary_slot_name = '${SLOT}'\n`);
    const ids = runAsIds([replicaDir]);
    if (ids.uid !== undefined) {
      for (const file of ["backup_label", "standby.signal", "postgresql.auto.conf"]) chownSync(path.join(replicaDir, file), ids.uid, ids.gid!);
    }
    const port = await freePort();
    const log: string[] = [];
    replica = await startStandby((await binaries()).postgres, replicaDir, port, ids, log);
    const standby = replica;
    // Never left behind, even if the test process exits without closing.
    process.once("exit", () => {
      if (standby.exitCode === null) standby.kill("SIGINT");
    });
    const replicaAdminUrl = onPort(primary.url, port);
    return {
      primary,
      logins,
      replicaTenantUrl: onPort(logins.tenantUrl, port),
      replicaAdminUrl,
      replicaLog: () => log.join(""),
      stopReplica: async () => {
        if (replica) await stopChild(replica);
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
