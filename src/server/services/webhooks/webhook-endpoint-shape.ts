import { z } from "zod";
import type { Prisma } from "@/generated/prisma/client";

/** Webhook endpoints as callers see them: never a secret or its ciphertext (PRODUCT.md §5). */

export const WEBHOOK_EVENT_TYPES = ["alert.created", "alert.resolved", "drift.detected", "drift.resolved", "run.completed", "webhook.test"] as const;
export const ZWebhookEventType = z.enum(WEBHOOK_EVENT_TYPES);

export const ZWebhookEndpoint = z.object({
  id: z.uuid(),
  url: z.string(),
  description: z.string(),
  eventTypes: z.array(z.string()),
  enabled: z.boolean(),
  disabledReason: z.string().nullable(),
  previousSecretExpiresAt: z.date().nullable().describe("While set and in the future, the previous secret signs too."),
  createdAt: z.date(),
  updatedAt: z.date(),
});
export type TWebhookEndpoint = z.infer<typeof ZWebhookEndpoint>;

export const webhookEndpointSelect = {
  id: true,
  url: true,
  description: true,
  eventTypes: true,
  enabled: true,
  disabledReason: true,
  previousSecretExpiresAt: true,
  createdAt: true,
  updatedAt: true,
} satisfies Prisma.WebhookEndpointSelect;

const ZUrl = z.string().trim().min(8).max(2048).describe("https URL of the receiver (public address; checked at save and at send).");

export const ZCreateWebhookEndpointInput = z.strictObject({
  url: ZUrl,
  description: z.string().trim().max(500).default(""),
  eventTypes: z.array(ZWebhookEventType).min(1).default(["alert.created", "alert.resolved"]),
  enabled: z.boolean().default(true),
});

export const ZUpdateWebhookEndpointInput = z.strictObject({
  id: z.uuid(),
  url: ZUrl.optional(),
  description: z.string().trim().max(500).optional(),
  eventTypes: z.array(ZWebhookEventType).min(1).optional(),
  enabled: z.boolean().optional(),
});

export const ZRotateWebhookSecretInput = z.strictObject({
  id: z.uuid(),
  graceHours: z.coerce
    .number()
    .min(0)
    .max(24 * 7)
    .default(24)
    .describe("How long the previous secret keeps signing (default 24 h; 0 ends it now)."),
});

/** Create and rotate answers: the only places the secret is ever shown. */
export const ZWebhookEndpointWithSecret = ZWebhookEndpoint.extend({ secret: z.string().describe("whsec_… — shown once; store it now.") });
