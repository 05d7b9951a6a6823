import type { TTx } from "@/server/db/client";
import type { TOutboxRow } from "./enqueue-webhook-deliveries";
import { deriveMessageId } from "./message-id";

/**
 * Outbox rows for tenant-level events that go to every endpoint subscribed to their type,
 * independently of alert rules (PRODUCT.md §5): drift.detected, drift.resolved, run.completed.
 * Written in the caller's transaction — the one that records the change — and sent by the
 * dispatcher after commit; nothing here touches the network.
 *
 * One row per (enabled endpoint of the tenant whose event_types include the type, subject). The
 * message id is derived from (type, endpoint, subject), so a retried or racing transaction
 * computes the same id and the unique index keeps one delivery.
 *
 * Locks: the endpoints are read FOR KEY SHARE — the lock the deliveries' foreign key takes
 * anyway — so an endpoint deleted meanwhile is skipped instead of failing the insert. Callers
 * call this last, after every lock of src/server/db/locks.ts they need.
 */

export type TSubscribedEventType = "drift.detected" | "drift.resolved" | "run.completed";

export interface TEventSubject {
  /** What the message is about (drift event id, run id): part of the derived message id. */
  id: string;
  data: unknown;
}

export async function subscribedEndpointIds(tx: TTx, customerId: string, eventType: TSubscribedEventType): Promise<string[]> {
  const rows = await tx.$queryRaw<{ id: string }[]>`
    SELECT id::text AS id FROM webhook_endpoints
    WHERE customer_id = ${customerId}::uuid AND enabled AND ${eventType} = ANY(event_types)
    ORDER BY id
    FOR KEY SHARE`;
  return rows.map((row) => row.id);
}

export function subscribedEventRows(
  customerId: string,
  eventType: TSubscribedEventType,
  endpointIds: readonly string[],
  subjects: readonly TEventSubject[],
  now = new Date(),
): TOutboxRow[] {
  const timestamp = now.toISOString();
  return endpointIds.flatMap((endpointId) =>
    subjects.map((subject) => ({
      customerId,
      endpointId,
      alertEventId: null,
      messageId: deriveMessageId(eventType, endpointId, subject.id),
      eventType,
      payload: { type: eventType, timestamp, data: subject.data },
    })),
  );
}
