import { db, type TDb } from "@/server/db/client";

/**
 * Claims due PENDING deliveries for one worker, in one short statement (its own transaction):
 * `FOR UPDATE … SKIP LOCKED` so workers never wait on or double-claim each other's rows, the
 * attempt number is reserved (attempt_count + 1), and a lease moves next_attempt_at to
 * now + timeout + margin. The claim commits before any HTTP call; if the worker dies while
 * sending, the lease runs out and the row is simply due again (at-least-once: receivers dedupe
 * on webhook-id). A row whose budget was spent by a lost final attempt is marked DEAD instead.
 * Deliveries to disabled endpoints wait (re-enabling the endpoint resumes them). `customerIds`
 * limits a worker to some tenants (tests, dedicated workers).
 */

export interface TClaimedDelivery {
  id: string;
  customerId: string;
  endpointId: string;
  alertEventId: string | null;
  messageId: string;
  eventType: string;
  body: string;
  attemptNumber: number;
  attemptsBeforeReplay: number;
  status: "PENDING" | "DEAD";
  url: string;
  secretCiphertext: string;
  previousSecretCiphertext: string | null;
  previousSecretExpiresAt: Date | null;
}

export async function claimDueDeliveries(options: {
  batchSize: number;
  leaseMs: number;
  maxAttempts: number;
  customerIds?: readonly string[];
  client?: TDb;
}): Promise<TClaimedDelivery[]> {
  const client = options.client ?? db();
  const rows = await client.$queryRaw<
    Array<{
      id: string;
      customer_id: string;
      endpoint_id: string;
      alert_event_id: string | null;
      message_id: string;
      event_type: string;
      body: string;
      attempt_count: number;
      attempts_before_replay: number;
      status: "PENDING" | "DEAD";
      url: string;
      secret_ciphertext: string;
      previous_secret_ciphertext: string | null;
      previous_secret_expires_at: Date | null;
    }>
  >`
    WITH due AS (
      SELECT d.id FROM webhook_deliveries d
      JOIN webhook_endpoints e ON e.id = d.endpoint_id AND e.enabled
      WHERE d.status = 'PENDING' AND d.next_attempt_at <= now()
        AND (${options.customerIds ?? null}::uuid[] IS NULL OR d.customer_id = ANY(${options.customerIds ?? null}::uuid[]))
      ORDER BY d.next_attempt_at
      LIMIT ${options.batchSize}
      FOR UPDATE OF d SKIP LOCKED
    )
    UPDATE webhook_deliveries d SET
      status = (CASE WHEN d.attempt_count - d.attempts_before_replay >= ${options.maxAttempts} THEN 'DEAD' ELSE 'PENDING' END)::delivery_status,
      attempt_count = CASE WHEN d.attempt_count - d.attempts_before_replay >= ${options.maxAttempts} THEN d.attempt_count ELSE d.attempt_count + 1 END,
      next_attempt_at = CASE WHEN d.attempt_count - d.attempts_before_replay >= ${options.maxAttempts} THEN NULL
        ELSE now() + make_interval(secs => ${options.leaseMs}::float8 / 1000) END,
      last_attempt_at = now(), updated_at = now()
    FROM due, webhook_endpoints e
    WHERE d.id = due.id AND e.id = d.endpoint_id
    RETURNING d.id::text AS id, d.customer_id::text AS customer_id, d.endpoint_id::text AS endpoint_id,
      d.alert_event_id::text AS alert_event_id, d.message_id, d.event_type, d.payload::text AS body, d.attempt_count,
      d.attempts_before_replay, d.status::text AS status, e.url, e.secret_ciphertext, e.previous_secret_ciphertext,
      e.previous_secret_expires_at`;
  return rows.map((row) => ({
    id: row.id,
    customerId: row.customer_id,
    endpointId: row.endpoint_id,
    alertEventId: row.alert_event_id,
    messageId: row.message_id,
    eventType: row.event_type,
    body: row.body,
    attemptNumber: row.attempt_count,
    attemptsBeforeReplay: row.attempts_before_replay,
    status: row.status,
    url: row.url,
    secretCiphertext: row.secret_ciphertext,
    previousSecretCiphertext: row.previous_secret_ciphertext,
    previousSecretExpiresAt: row.previous_secret_expires_at,
  }));
}
