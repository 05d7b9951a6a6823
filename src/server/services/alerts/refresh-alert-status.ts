import type { TSqlTx } from "@/server/db/client";

/**
 * An alert's delivery status follows its outbox rows (webhook alert.created deliveries and the
 * e-mail row): FAILED when any failed or died, PENDING while any is pending, SENT otherwise
 * (also when it has none: the in-app channel has delivered it). ACKNOWLEDGED and RESOLVED are
 * people's decisions and are never overwritten. The caller holds the alerts' row locks (or just
 * inserted them).
 */
export async function refreshAlertStatus(tx: TSqlTx, alertEventIds: string | readonly string[]): Promise<void> {
  const ids = typeof alertEventIds === "string" ? [alertEventIds] : [...alertEventIds];
  if (ids.length === 0) return;
  await tx.$executeRaw`
    UPDATE alert_events a SET status = (CASE
        WHEN EXISTS (SELECT 1 FROM webhook_deliveries w WHERE w.alert_event_id = a.id AND w.status IN ('FAILED', 'DEAD'))
          OR EXISTS (SELECT 1 FROM alert_email_deliveries m WHERE m.alert_event_id = a.id AND m.status IN ('FAILED', 'DEAD')) THEN 'FAILED'
        WHEN EXISTS (SELECT 1 FROM webhook_deliveries w WHERE w.alert_event_id = a.id AND w.status = 'PENDING')
          OR EXISTS (SELECT 1 FROM alert_email_deliveries m WHERE m.alert_event_id = a.id AND m.status = 'PENDING') THEN 'PENDING'
        ELSE 'SENT' END)::alert_status,
      updated_at = now()
    WHERE a.id = ANY(${ids}::uuid[]) AND a.status IN ('PENDING', 'SENT', 'FAILED')`;
}
