import type pg from "pg";
import { normalizePayerName } from "./normalize-payer-name";
import { STAGE_TABLE } from "./stage-claim-lines";

/**
 * Makes sure every payer name in the staging table has a payer_mappings row for the tenant
 * (PRODUCT.md §2). A name nobody has mapped yet gets one: to the catalogue payer of the same
 * normalised name when there is one, otherwise to a tenant-private payer named as written,
 * created here, which an admin can later re-map to a catalogue payer.
 *
 * An 835 also names the payer's own identifier (N1*PR N104 or REF*2U). A new spelling of the
 * name that carries an identifier already mapped (the same payer writing "WSFG - BENEFITS" and
 * "WSFG - BENEFITStest") is mapped to that payer, and the identifier is kept on the mapping.
 *
 * Runs inside the upload's transaction. INSERT … ON CONFLICT DO NOTHING makes concurrent
 * uploads naming the same new payer wait for each other instead of failing.
 */
export async function resolveStagedPayers(client: pg.ClientBase, customerId: string): Promise<{ created: number }> {
  const names = await client.query<{ payer_key: string; payer_name: string; payer_identifier: string | null }>(
    `SELECT payer_key, min(payer_name) AS payer_name, min(payer_identifier) AS payer_identifier FROM ${STAGE_TABLE} GROUP BY payer_key`,
  );
  return ensurePayerMappings(
    client,
    customerId,
    names.rows.map((row) => ({ key: row.payer_key, raw: row.payer_name, identifier: row.payer_identifier ?? undefined })),
  );
}

export async function ensurePayerMappings(
  client: pg.ClientBase,
  customerId: string,
  names: { key: string; raw: string; identifier?: string }[],
): Promise<{ created: number }> {
  if (names.length === 0) return { created: 0 };
  const mapped = await client.query<{ normalized_name: string }>(
    `SELECT normalized_name FROM payer_mappings WHERE customer_id = $1 AND normalized_name = ANY($2::text[])`,
    [customerId, names.map((name) => name.key)],
  );
  const known = new Set(mapped.rows.map((row) => row.normalized_name));
  const missing = names.filter((name) => !known.has(name.key));
  if (missing.length === 0) return { created: 0 };

  const identifiers = [...new Set(missing.flatMap((name) => (name.identifier ? [name.identifier] : [])))];
  const byIdentifier = new Map<string, string>();
  if (identifiers.length > 0) {
    const known = await client.query<{ payer_identifier: string; payer_id: string }>(
      `SELECT DISTINCT ON (payer_identifier) payer_identifier, payer_id::text FROM payer_mappings
       WHERE customer_id = $1 AND payer_identifier = ANY($2::text[]) ORDER BY payer_identifier, created_at`,
      [customerId, identifiers],
    );
    for (const row of known.rows) byIdentifier.set(row.payer_identifier, row.payer_id);
  }
  const catalogue = await client.query<{ id: string; name: string }>(`SELECT id::text, name FROM payers WHERE customer_id IS NULL`);
  const catalogueByKey = new Map(catalogue.rows.map((row) => [normalizePayerName(row.name), row.id]));
  for (const name of missing) {
    const known = name.identifier ? byIdentifier.get(name.identifier) : undefined;
    if (known && !catalogueByKey.has(name.key)) catalogueByKey.set(name.key, known);
  }
  const own = missing.filter((name) => !catalogueByKey.has(name.key));
  if (own.length > 0) {
    await client.query(
      `INSERT INTO payers (customer_id, name) SELECT $1, name FROM unnest($2::text[]) AS name
       ON CONFLICT ON CONSTRAINT payers_customer_name_key DO NOTHING`,
      [customerId, own.map((name) => name.raw)],
    );
  }
  const tenantPayers = await client.query<{ id: string; name: string }>(`SELECT id::text, name FROM payers WHERE customer_id = $1 AND name = ANY($2::text[])`, [
    customerId,
    own.map((name) => name.raw),
  ]);
  const tenantByName = new Map(tenantPayers.rows.map((row) => [row.name, row.id]));
  const rows = missing.map((name) => ({ ...name, payerId: catalogueByKey.get(name.key) ?? tenantByName.get(name.raw) }));
  const inserted = await client.query(
    `INSERT INTO payer_mappings (customer_id, raw_name, normalized_name, payer_id, payer_identifier)
     SELECT $1, raw, key, payer_id, identifier FROM unnest($2::text[], $3::text[], $4::uuid[], $5::text[]) AS m(raw, key, payer_id, identifier)
     ON CONFLICT ON CONSTRAINT payer_mappings_customer_name_key DO NOTHING`,
    [customerId, rows.map((row) => row.raw), rows.map((row) => row.key), rows.map((row) => row.payerId ?? null), rows.map((row) => row.identifier ?? null)],
  );
  return { created: inserted.rowCount ?? 0 };
}
