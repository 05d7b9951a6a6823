import pg from "pg";

/**
 * Tampering with the audit log needs the append-only trigger out of the way. Done as the
 * database owner, in one transaction, on a customer of the test's own: the ALTER TABLE lock keeps
 * every other session out of audit_events until the trigger is back, so no parallel test ever
 * writes past a disabled trigger.
 */
export async function asOwnerWithoutAuditTrigger(statements: [string, unknown[]][]): Promise<void> {
  const client = new pg.Client({ connectionString: process.env.MIGRATION_DATABASE_URL });
  await client.connect();
  try {
    await client.query("BEGIN");
    await client.query("ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update_delete");
    for (const [sql, params] of statements) await client.query(sql, params);
    await client.query("ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update_delete");
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK");
    throw error;
  } finally {
    await client.end();
  }
}
