import { z } from "zod";
import type { Prisma } from "@/generated/prisma/client";

export const ZDeliveryStatus = z.enum(["PENDING", "DELIVERED", "FAILED", "DEAD"]);

export const ZWebhookDeliveryAttempt = z.object({
  attemptNumber: z.number().int(),
  startedAt: z.date(),
  durationMs: z.number().int(),
  statusCode: z.number().int().nullable(),
  errorKind: z.string().nullable().describe("null on success; timeout | network | forbidden_address | http_status"),
  responseExcerpt: z.string().nullable().describe("First 1 KB of the answer."),
});

export const ZWebhookDelivery = z.object({
  id: z.uuid(),
  endpointId: z.uuid(),
  alertEventId: z.uuid().nullable(),
  messageId: z.string().describe("The webhook-id header: stable across retries; receivers dedupe on it."),
  eventType: z.string(),
  status: ZDeliveryStatus,
  attemptCount: z.number().int(),
  nextAttemptAt: z.date().nullable(),
  lastAttemptAt: z.date().nullable(),
  deliveredAt: z.date().nullable(),
  createdAt: z.date(),
});

export const ZWebhookDeliveryDetail = ZWebhookDelivery.extend({
  payload: z.unknown().describe("The body sent: { type, timestamp, data }."),
  attempts: z.array(ZWebhookDeliveryAttempt),
});

export const webhookDeliverySelect = {
  id: true,
  endpointId: true,
  alertEventId: true,
  messageId: true,
  eventType: true,
  status: true,
  attemptCount: true,
  nextAttemptAt: true,
  lastAttemptAt: true,
  deliveredAt: true,
  createdAt: true,
} satisfies Prisma.WebhookDeliverySelect;

export const ZWebhookDeliveryFilters = z.object({
  endpointId: z.uuid().optional(),
  alertEventId: z.uuid().optional(),
  status: ZDeliveryStatus.optional(),
  eventType: z.string().max(40).optional(),
});
