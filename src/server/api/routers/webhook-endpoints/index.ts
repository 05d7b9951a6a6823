import { z } from "zod";
import { actorOf } from "@/server/api/actor-of-caller";
import { rest } from "@/server/api/openapi-meta";
import { adminProcedure, createTRPCRouter } from "@/server/api/trpc";
import { ZListOutput, ZListParams } from "@/server/lib/pagination";
import { getWebhookEndpoint, listWebhookEndpoints } from "@/server/services/webhooks/list-webhook-endpoints";
import { createWebhookEndpoint, deleteWebhookEndpoint, rotateWebhookSecret, updateWebhookEndpoint } from "@/server/services/webhooks/manage-webhook-endpoints";
import { sendTestWebhook } from "@/server/services/webhooks/send-test-webhook";
import { ZWebhookDelivery } from "@/server/services/webhooks/webhook-delivery-shape";
import {
  ZCreateWebhookEndpointInput,
  ZRotateWebhookSecretInput,
  ZUpdateWebhookEndpointInput,
  ZWebhookEndpoint,
  ZWebhookEndpointWithSecret,
} from "@/server/services/webhooks/webhook-endpoint-shape";

const tags = ["webhooks"];
const signing =
  "Deliveries follow Standard Webhooks: headers webhook-id (stable across retries, also X-Idempotency-Key), webhook-timestamp and webhook-signature (v1,<base64 HMAC-SHA256 of id.timestamp.body>, space-separated while two secrets are active). URLs must be https and resolve to public addresses.";

export const webhookEndpointsRouter = createTRPCRouter({
  list: adminProcedure
    .meta(
      rest("GET", "/webhook-endpoints", {
        summary: "List webhook endpoints",
        description: `Endpoints of this customer; secrets are never shown again. ${signing}`,
        tags,
      }),
    )
    .input(ZListParams.strict())
    .output(ZListOutput(ZWebhookEndpoint))
    .query(({ ctx, input }) => listWebhookEndpoints(ctx.tenant.customerId, input)),

  get: adminProcedure
    .meta(
      rest("GET", "/webhook-endpoints/{id}", {
        summary: "Get a webhook endpoint",
        description: "One endpoint (without its secret).",
        tags,
        errors: { 404: "No such endpoint" },
      }),
    )
    .input(z.strictObject({ id: z.uuid() }))
    .output(ZWebhookEndpoint)
    .query(({ ctx, input }) => getWebhookEndpoint(ctx.tenant.customerId, input.id)),

  create: adminProcedure
    .meta(
      rest("POST", "/webhook-endpoints", {
        summary: "Create a webhook endpoint",
        description: `Returns the signing secret (whsec_…) once, in \`secret\`. ${signing} Audited.`,
        tags,
        errors: { 400: "Invalid input or URL refused by the SSRF guard" },
      }),
    )
    .input(ZCreateWebhookEndpointInput)
    .output(ZWebhookEndpointWithSecret)
    .mutation(({ ctx, input }) => createWebhookEndpoint(ctx.tenant.customerId, actorOf(ctx), input)),

  update: adminProcedure
    .meta(
      rest("PATCH", "/webhook-endpoints/{id}", {
        summary: "Change a webhook endpoint",
        description: "URL, description, event types, enabled. Re-enabling resumes its waiting deliveries. Audited.",
        tags,
        errors: { 404: "No such endpoint" },
      }),
    )
    .input(ZUpdateWebhookEndpointInput)
    .output(ZWebhookEndpoint)
    .mutation(({ ctx, input }) => updateWebhookEndpoint(ctx.tenant.customerId, actorOf(ctx), input)),

  delete: adminProcedure
    .meta(
      rest("DELETE", "/webhook-endpoints/{id}", {
        summary: "Delete a webhook endpoint",
        description: "Deletes the endpoint and its delivery log. Audited.",
        tags,
        errors: { 404: "No such endpoint" },
      }),
    )
    .input(z.strictObject({ id: z.uuid() }))
    .output(z.object({ id: z.uuid(), deleted: z.boolean() }))
    .mutation(({ ctx, input }) => deleteWebhookEndpoint(ctx.tenant.customerId, actorOf(ctx), input.id)),

  rotateSecret: adminProcedure
    .meta(
      rest("POST", "/webhook-endpoints/{id}/rotate-secret", {
        summary: "Rotate the signing secret",
        description: "Returns the new secret once. The previous one keeps signing (a second v1 signature) for `graceHours` (default 24). Audited.",
        tags,
        errors: { 404: "No such endpoint" },
      }),
    )
    .input(ZRotateWebhookSecretInput)
    .output(ZWebhookEndpointWithSecret)
    .mutation(({ ctx, input }) => rotateWebhookSecret(ctx.tenant.customerId, actorOf(ctx), input)),

  test: adminProcedure
    .meta(
      rest("POST", "/webhook-endpoints/{id}/test", {
        summary: "Send a test event",
        description: "Queues a signed `webhook.test` delivery; follow it in the delivery log. Audited.",
        tags,
        errors: { 404: "No such endpoint", 409: "Endpoint disabled" },
      }),
    )
    .input(z.strictObject({ id: z.uuid() }))
    .output(ZWebhookDelivery)
    .mutation(({ ctx, input }) => sendTestWebhook(ctx.tenant.customerId, actorOf(ctx), input.id)),
});
