import nodemailer, { type Transporter } from "nodemailer";
import { env } from "@/env";
import { db } from "@/server/db/client";
import { lockRows } from "@/server/db/locks";
import { withTransaction } from "@/server/db/transaction";
import { logger } from "@/server/lib/logger";
import { refreshAlertStatus } from "@/server/services/alerts/refresh-alert-status";
import { composeAlertEmail } from "./compose-alert-email";

/**
 * The e-mail channel (PRODUCT.md §4): alert_email_deliveries rows are written with the alert and
 * sent here, after commit, like webhooks: claim with SKIP LOCKED and a lease (short statement),
 * send over SMTP (SMTP_URL, nodemailer) with no transaction open, then record the outcome. Failed
 * sends retry on the webhook schedule; after the last one the row is DEAD. Without SMTP_URL the
 * rows are FAILED with that reason, visibly.
 */

export interface TEmailOptions {
  smtpUrl?: string | null;
  from?: string;
  scheduleMs: number[];
  batchSize?: number;
  leaseMs?: number;
  customerIds?: readonly string[];
}

const transports = new Map<string, Transporter>();

function transportFor(url: string): Transporter {
  let transport = transports.get(url);
  if (!transport) {
    transport = nodemailer.createTransport(url);
    transports.set(url, transport);
  }
  return transport;
}

export async function sendDueAlertEmails(options: TEmailOptions): Promise<number> {
  const smtpUrl = options.smtpUrl === undefined ? (env().SMTP_URL ?? null) : options.smtpUrl;
  const maxAttempts = options.scheduleMs.length;
  const claimed = await db().$queryRaw<{ id: string; alert_event_id: string; customer_id: string; recipients: string[]; attempt_count: number }[]>`
    WITH due AS (
      SELECT id FROM alert_email_deliveries WHERE status = 'PENDING' AND next_attempt_at <= now()
        AND (${options.customerIds ?? null}::uuid[] IS NULL OR customer_id = ANY(${options.customerIds ?? null}::uuid[]))
      ORDER BY next_attempt_at LIMIT ${options.batchSize ?? 20} FOR UPDATE SKIP LOCKED)
    UPDATE alert_email_deliveries m SET attempt_count = m.attempt_count + 1, updated_at = now(),
      next_attempt_at = now() + make_interval(secs => ${options.leaseMs ?? 60_000}::float8 / 1000)
    FROM due WHERE m.id = due.id
    RETURNING m.id::text AS id, m.alert_event_id::text AS alert_event_id, m.customer_id::text AS customer_id, m.recipients, m.attempt_count`;
  for (const row of claimed) {
    let error: string | null = null;
    if (!smtpUrl) error = "SMTP_URL is not configured";
    else {
      try {
        const message = await composeAlertEmail(row.customer_id, row.alert_event_id);
        await transportFor(smtpUrl).sendMail({ from: options.from ?? "Driftline <alerts@driftline.invalid>", to: row.recipients, ...message });
      } catch (caught) {
        error = String((caught as Error).message ?? caught).slice(0, 1000);
        logger.warn({ emailDeliveryId: row.id, err: caught }, "alert e-mail failed");
      }
    }
    const retryDelay = error && smtpUrl && row.attempt_count < maxAttempts ? options.scheduleMs[row.attempt_count]! : null;
    const status = error === null ? "DELIVERED" : retryDelay !== null ? "PENDING" : smtpUrl ? "DEAD" : "FAILED";
    await withTransaction(async (tx) => {
      await lockRows(tx, "alert_events", [row.alert_event_id]);
      await tx.$executeRaw`
        UPDATE alert_email_deliveries SET status = ${status}::delivery_status, last_error = ${error},
          sent_at = CASE WHEN ${status} = 'DELIVERED' THEN now() ELSE NULL END,
          next_attempt_at = CASE WHEN ${retryDelay}::float8 IS NULL THEN NULL ELSE now() + make_interval(secs => ${retryDelay}::float8 / 1000) END,
          updated_at = now()
        WHERE id = ${row.id}::uuid`;
      await refreshAlertStatus(tx, row.alert_event_id);
    });
  }
  return claimed.length;
}
