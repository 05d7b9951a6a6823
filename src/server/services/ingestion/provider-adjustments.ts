import type pg from "pg";
import type { TX12ProviderAdjustment } from "./parse/x12-835-plb";

/**
 * Writes the PLB adjustments of one 835 transaction set inside the upload's transaction, on
 * the upload's own connection (so they commit or roll back with its claim lines). One
 * statement whatever the number of adjustments: the values travel as parallel arrays and
 * `unnest` turns them into rows.
 *
 * Tenant scoping is by hand, as everywhere on the ingest connection: the statement inserts only
 * when the upload belongs to the customer and the payer is the customer's own or a catalogue
 * payer; otherwise it writes nothing and this throws, so the caller's transaction rolls back.
 */

const INSERT_SQL = `
INSERT INTO provider_adjustments (customer_id, upload_id, payer_id, line_number, provider_identifier, fiscal_period_date,
                                  remittance_date, reason_code, reference, amount)
SELECT $1::uuid, $2::uuid, $3::uuid, a.line_number, a.provider_identifier, a.fiscal_period_date,
       a.remittance_date, a.reason_code, a.reference, a.amount
FROM unnest($4::int[], $5::text[], $6::date[], $7::date[], $8::text[], $9::text[], $10::numeric[])
       AS a (line_number, provider_identifier, fiscal_period_date, remittance_date, reason_code, reference, amount)
WHERE EXISTS (SELECT 1 FROM uploads u WHERE u.id = $2::uuid AND u.customer_id = $1::uuid)
  AND EXISTS (SELECT 1 FROM payers p WHERE p.id = $3::uuid AND (p.customer_id = $1::uuid OR p.customer_id IS NULL))`;

export async function recordProviderAdjustments(
  client: pg.ClientBase,
  customerId: string,
  uploadId: string,
  payerId: string,
  adjustments: TX12ProviderAdjustment[],
): Promise<number> {
  if (adjustments.length === 0) return 0;
  const result = await client.query(INSERT_SQL, [
    customerId,
    uploadId,
    payerId,
    adjustments.map((a) => a.line),
    adjustments.map((a) => a.providerIdentifier),
    adjustments.map((a) => a.fiscalPeriodDate),
    adjustments.map((a) => a.remittanceDate ?? a.fiscalPeriodDate),
    adjustments.map((a) => a.reasonCode),
    adjustments.map((a) => a.reference ?? null),
    adjustments.map((a) => a.amount),
  ]);
  const written = result.rowCount ?? 0;
  if (written !== adjustments.length) {
    throw new Error("provider adjustments refused: the upload or the payer does not belong to this customer");
  }
  return written;
}
