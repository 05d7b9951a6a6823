import { createHash, randomBytes } from "node:crypto";

/**
 * Standard Webhooks message ids (`webhook-id`). For events the system derives them from what the
 * message is about (event type, endpoint, subject), so two evaluations racing on the same drift
 * event compute the same id and the unique index on message_id keeps one delivery; test events
 * get random ids.
 */
export function deriveMessageId(eventType: string, endpointId: string, subjectId: string): string {
  const digest = createHash("sha256").update(`${eventType}\u0000${endpointId}\u0000${subjectId}`).digest();
  return `msg_${digest.subarray(0, 18).toString("base64url")}`;
}

export function randomMessageId(): string {
  return `msg_${randomBytes(18).toString("base64url")}`;
}
