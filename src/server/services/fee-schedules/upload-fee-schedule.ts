import type pg from "pg";
import { Prisma } from "@/generated/prisma/client";
import { withTenantTransaction, type TTenantTx } from "@/server/db/tenant-scope";
import { auditAction, type TActor } from "@/server/lib/actor";
import { AppError } from "@/server/lib/errors";
import { ensurePayerMappings } from "@/server/services/ingestion/resolve-staged-payers";
import { logger } from "@/server/lib/logger";
import { parseFeeScheduleCsv } from "./parse-fee-schedule-csv";
import { refreshUnderpayments } from "@/server/services/underpayments/refresh-underpayments";

/**
 * Applies a fee schedule CSV in one transaction, all or nothing (400 with every row error, nothing
 * written). Payer names go through the tenant's payer mapping exactly as claim uploads do (a new
 * name gets a mapping). Uploads of one tenant are serialised by an advisory lock, so versions are
 * 1, 2, 3, … in commit order; rows of earlier versions whose dates overlap a new row for the same
 * payer, code and modifier are marked superseded by it (the newer rate applies there; the old rows
 * stay listed). After commit the underpayment worklist is refreshed for the codes it names.
 */

export interface TFeeScheduleUploadResult {
  feeSchedule: { id: string; version: number; filename: string; rowCount: number; createdAt: Date };
  supersededCount: number;
  underpaymentsFound: number;
}

const LOCK_KEY = "fee_schedules:";

/** ensurePayerMappings speaks node-postgres; inside a Prisma transaction it gets this adapter. */
function asPgClient(tx: TTenantTx): pg.ClientBase {
  return {
    query: async (sql: string, params: unknown[] = []) => {
      const rows = await tx.$queryRawUnsafe<Record<string, unknown>[]>(sql, ...params);
      return { rows, rowCount: rows.length };
    },
  } as unknown as pg.ClientBase;
}

export async function uploadFeeSchedule(customerId: string, actor: TActor, file: { filename: string; text: string }): Promise<TFeeScheduleUploadResult> {
  const parsed = parseFeeScheduleCsv(file.text);
  if (parsed.errors.length > 0) {
    const errors = [...parsed.errors].sort((a, b) => a.line - b.line).slice(0, 1000);
    throw new AppError(
      "BAD_REQUEST",
      `The fee schedule was rejected: ${parsed.errors.length} row error(s); nothing was written. Fix the rows and upload the file again.`,
      {
        errors: errors.map((error) => ({ path: `line ${error.line}: ${error.field}`, message: error.message, line: error.line, field: error.field })),
      },
    );
  }
  const rows = parsed.rows;

  const result = await withTenantTransaction(customerId, async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${LOCK_KEY + customerId}, 0))`;
    const names = new Map<string, string>();
    for (const row of rows) if (!names.has(row.payerKey)) names.set(row.payerKey, row.payerName);
    await ensurePayerMappings(
      asPgClient(tx),
      customerId,
      [...names].map(([key, raw]) => ({ key, raw })),
    );
    const mappings = await tx.payerMapping.findMany({
      where: { normalizedName: { in: [...names.keys()] } },
      select: { id: true, payerId: true, normalizedName: true },
    });
    const mappingByKey = new Map(mappings.map((m) => [m.normalizedName, m]));

    const last = await tx.feeSchedule.aggregate({ _max: { version: true } });
    const version = (last._max.version ?? 0) + 1;
    const schedule = await tx.feeSchedule.create({
      data: { customerId, version, filename: file.filename, rowCount: rows.length, createdById: actor.userId },
      select: { id: true, version: true, filename: true, rowCount: true, createdAt: true },
    });
    await tx.feeScheduleRate.createMany({
      data: rows.map((row) => {
        const mapping = mappingByKey.get(row.payerKey);
        if (!mapping) throw new Error(`payer mapping for line ${row.line} was not created`);
        return {
          customerId,
          feeScheduleId: schedule.id,
          scheduleVersion: version,
          lineNumber: row.line,
          payerId: mapping.payerId,
          payerMappingId: mapping.id,
          cptCode: row.cptCode,
          modifier: row.modifier,
          rate: new Prisma.Decimal(row.rate),
          effectiveFrom: new Date(`${row.effectiveFrom}T00:00:00Z`),
          effectiveTo: row.effectiveTo ? new Date(`${row.effectiveTo}T00:00:00Z`) : null,
        };
      }),
    });
    const supersededCount = await tx.$executeRaw`
      UPDATE fee_schedule_rates old SET superseded_by_id = ${schedule.id}::uuid, superseded_at = now()
      FROM fee_schedule_rates new
      WHERE new.customer_id = ${customerId}::uuid AND new.fee_schedule_id = ${schedule.id}::uuid
        AND old.customer_id = new.customer_id AND old.fee_schedule_id <> new.fee_schedule_id AND old.superseded_by_id IS NULL
        AND old.payer_id = new.payer_id AND old.cpt_code = new.cpt_code AND old.modifier = new.modifier
        AND old.effective_from <= coalesce(new.effective_to, 'infinity'::date)
        AND new.effective_from <= coalesce(old.effective_to, 'infinity'::date)`;
    await auditAction(
      tx,
      actor,
      customerId,
      "fee_schedule.upload",
      { type: "fee_schedule", id: schedule.id },
      { version, rowCount: rows.length, supersededCount },
    );
    return { feeSchedule: schedule, supersededCount, codes: [...new Set(rows.map((row) => row.cptCode))] };
  });

  let underpaymentsFound = 0;
  try {
    underpaymentsFound = (await refreshUnderpayments(customerId, { cptCodes: result.codes })).opened;
  } catch (error) {
    // The schedule is stored; the next upload or detection run refreshes the worklist.
    logger.error({ customerId, feeScheduleId: result.feeSchedule.id, err: error }, "could not refresh underpayments after a fee schedule upload");
  }
  return { feeSchedule: result.feeSchedule, supersededCount: result.supersededCount, underpaymentsFound };
}
