import { z } from "zod";
import { actorOf } from "@/server/api/actor-of-caller";
import { rest } from "@/server/api/openapi-meta";
import { adminProcedure, createTRPCRouter } from "@/server/api/trpc";
import { ZListOutput, ZListParams } from "@/server/lib/pagination";
import { getWebhookDelivery, listWebhookDeliveries, replayWebhookDelivery } from "@/server/services/webhooks/manage-webhook-deliveries";
import { ZWebhookDelivery, ZWebhookDeliveryDetail, ZWebhookDeliveryFilters } from "@/server/services/webhooks/webhook-delivery-shape";

const tags = ["webhooks"];

export const webhookDeliveriesRouter = createTRPCRouter({
  list: adminProcedure
    .meta(
      rest("GET", "/webhook-deliveries", {
        summary: "List webhook deliveries",
        description:
          "The delivery log, newest first. Filters: endpointId, alertEventId, status (PENDING, DELIVERED, FAILED, DEAD), eventType; search matches the start of the webhook-id.",
        tags,
      }),
    )
    .input(ZListParams.extend(ZWebhookDeliveryFilters.shape).strict())
    .output(ZListOutput(ZWebhookDelivery))
    .query(({ ctx, input }) => listWebhookDeliveries(ctx.tenant.customerId, input)),

  get: adminProcedure
    .meta(
      rest("GET", "/webhook-deliveries/{id}", {
        summary: "Get a webhook delivery",
        description: "One delivery with its body and every attempt (number, time, duration, status code, error kind, first 1 KB of the answer).",
        tags,
        errors: { 404: "No such delivery" },
      }),
    )
    .input(z.strictObject({ id: z.uuid() }))
    .output(ZWebhookDeliveryDetail)
    .query(({ ctx, input }) => getWebhookDelivery(ctx.tenant.customerId, input.id)),

  replay: adminProcedure
    .meta(
      rest("POST", "/webhook-deliveries/{id}/replay", {
        summary: "Replay a webhook delivery",
        description: "Sends a DEAD or FAILED delivery again with the same webhook-id and a fresh retry budget. Audited.",
        tags,
        errors: { 404: "No such delivery", 409: "Not DEAD/FAILED, or the endpoint is disabled" },
      }),
    )
    .input(z.strictObject({ id: z.uuid() }))
    .output(ZWebhookDelivery)
    .mutation(({ ctx, input }) => replayWebhookDelivery(ctx.tenant.customerId, actorOf(ctx), input.id)),
});
