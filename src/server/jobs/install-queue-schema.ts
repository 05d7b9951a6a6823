import pg from "pg";
import PgBoss from "pg-boss";

/**
 * pg-boss's own schema is installed and upgraded by the migration (owner) login, like every
 * other schema change, and then handed to `driftline_platform` (migration 20261203000090): the
 * application's platform login never needs CREATE on the database, yet can add a queue's
 * partition and attach it to `pgboss.job`, which only the job table's owner may do. The job
 * queue holds no tenant rows, so owning it gives the platform login nothing RLS or the audit
 * log protect. Processes then start pg-boss with `migrate: false` (src/server/jobs/queue.ts).
 */
export const QUEUE_SCHEMA = "pgboss";
const PLATFORM_ROLE = "driftline_platform";

/** Every object pg-boss creates (schema, enum, tables and partitions, functions) changes owner. */
const HAND_OVER = `
DO $$
DECLARE
  item record;
BEGIN
  FOR item IN
    SELECT format('ALTER %s %s OWNER TO ${PLATFORM_ROLE}', CASE WHEN c.relkind = 'S' THEN 'SEQUENCE' ELSE 'TABLE' END, c.oid::regclass) AS sql
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = '${QUEUE_SCHEMA}' AND c.relkind IN ('r', 'p', 'S') AND c.relowner <> '${PLATFORM_ROLE}'::regrole
    UNION ALL
    SELECT format('ALTER FUNCTION %s OWNER TO ${PLATFORM_ROLE}', p.oid::regprocedure)
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname = '${QUEUE_SCHEMA}' AND p.proowner <> '${PLATFORM_ROLE}'::regrole
    UNION ALL
    SELECT format('ALTER TYPE %s OWNER TO ${PLATFORM_ROLE}', t.oid::regtype)
    FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
    WHERE n.nspname = '${QUEUE_SCHEMA}' AND t.typtype = 'e' AND t.typowner <> '${PLATFORM_ROLE}'::regrole
    UNION ALL
    SELECT 'ALTER SCHEMA ${QUEUE_SCHEMA} OWNER TO ${PLATFORM_ROLE}'
    FROM pg_namespace WHERE nspname = '${QUEUE_SCHEMA}' AND nspowner <> '${PLATFORM_ROLE}'::regrole
  LOOP
    EXECUTE item.sql;
  END LOOP;
END
$$`;

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Installs or upgrades pg-boss's schema as the owner, then hands it to the platform role. */
export async function installQueueSchema(ownerUrl: string): Promise<void> {
  const separated = await withClient(ownerUrl, async (client) => (await client.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [PLATFORM_ROLE])).rowCount);
  // Rolled back below the role-separation migration: nothing to install it for.
  if (!separated) return;
  const boss = new PgBoss({ connectionString: ownerUrl, schema: QUEUE_SCHEMA, max: 1, migrate: true, supervise: false, schedule: false });
  boss.on("error", () => {});
  await boss.start();
  await boss.stop({ graceful: false, wait: true });
  await withClient(ownerUrl, (client) => client.query(HAND_OVER));
}
