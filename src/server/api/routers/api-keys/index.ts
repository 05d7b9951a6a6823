import { z } from "zod";
import { actorOf } from "@/server/api/actor-of-caller";
import { rest } from "@/server/api/openapi-meta";
import { adminProcedure, createTRPCRouter } from "@/server/api/trpc";
import { ZListOutput, ZListParams } from "@/server/lib/pagination";
import { issueApiKey, listApiKeys, revokeApiKey, ZApiKey } from "@/server/services/api-keys/manage-api-keys";
import { ZCreateApiKeyInput } from "@/server/services/api-keys/create-api-key";

export const apiKeysRouter = createTRPCRouter({
  list: adminProcedure
    .meta(
      rest("GET", "/api-keys", {
        summary: "List API keys",
        description: "Keys of this customer, identified by prefix. The secret is never shown again.",
        tags: ["api-keys"],
      }),
    )
    .input(ZListParams.strict())
    .output(ZListOutput(ZApiKey))
    .query(({ ctx, input }) => listApiKeys(ctx.tenant.customerId, input)),

  create: adminProcedure
    .meta(
      rest("POST", "/api-keys", { summary: "Create an API key", description: "Returns the key once, in `key`; store it now. Audited.", tags: ["api-keys"] }),
    )
    .input(ZCreateApiKeyInput)
    .output(ZApiKey.extend({ key: z.string() }))
    .mutation(async ({ ctx, input }) => {
      const created = await issueApiKey(ctx.tenant.customerId, actorOf(ctx), input);
      return { ...created, revokedAt: null, lastUsedAt: null };
    }),

  revoke: adminProcedure
    .meta(
      rest("DELETE", "/api-keys/{id}", {
        summary: "Revoke an API key",
        description: "The key stops working on its next request. Audited.",
        tags: ["api-keys"],
        errors: { 404: "No such key" },
      }),
    )
    .input(z.strictObject({ id: z.uuid() }))
    .output(ZApiKey)
    .mutation(({ ctx, input }) => revokeApiKey(ctx.tenant.customerId, actorOf(ctx), input.id)),
});
