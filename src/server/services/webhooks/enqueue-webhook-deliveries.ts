import type { TSqlTx } from "@/server/db/client";

/**
 * Writes outbox rows in the caller's transaction. Message ids are derived from what a message is
 * about, so a row that already exists (same message id, or same endpoint and alert) is kept and
 * the new one skipped: concurrent evaluations never produce two deliveries of one message.
 * created_at is kept to milliseconds, the precision of list cursors.
 */
export interface TOutboxRow {
  customerId: string;
  endpointId: string;
  alertEventId: string | null;
  messageId: string;
  eventType: string;
  payload: { type: string; timestamp: string; data: unknown };
}

export async function enqueueWebhookDeliveries(tx: TSqlTx, rows: readonly TOutboxRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const json = JSON.stringify(
    rows.map((r) => ({
      customer_id: r.customerId,
      endpoint_id: r.endpointId,
      alert_event_id: r.alertEventId,
      message_id: r.messageId,
      event_type: r.eventType,
      payload: r.payload,
    })),
  );
  return tx.$executeRaw`
    INSERT INTO webhook_deliveries (customer_id, endpoint_id, alert_event_id, message_id, event_type, payload, created_at)
    SELECT r.customer_id, r.endpoint_id, r.alert_event_id, r.message_id, r.event_type, r.payload, date_trunc('milliseconds', now())
    FROM jsonb_to_recordset(${json}::jsonb) AS r(customer_id uuid, endpoint_id uuid, alert_event_id uuid, message_id text, event_type text, payload jsonb)
    ON CONFLICT DO NOTHING`;
}
