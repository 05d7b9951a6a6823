import { z } from "zod";
import { actorOf } from "@/server/api/actor-of-caller";
import { rest } from "@/server/api/openapi-meta";
import { adminProcedure, createTRPCRouter, viewerProcedure } from "@/server/api/trpc";
import { getSettings, updateSettings, ZSettings, ZUpdateSettingsInput } from "@/server/services/settings/settings";

const ZSettingsOutput = ZSettings.extend({ updatedAt: z.date() });

export const settingsRouter = createTRPCRouter({
  get: viewerProcedure
    .meta(
      rest("GET", "/settings", {
        summary: "Detection settings",
        description: "Windows, gates, minimum sample and false discovery rate of drift detection.",
        tags: ["settings"],
      }),
    )
    .input(z.object({}).strict().optional())
    .output(ZSettingsOutput)
    .query(({ ctx }) => getSettings(ctx.tenant.customerId)),

  update: adminProcedure
    .meta(
      rest("PATCH", "/settings", {
        summary: "Change detection settings",
        description: "Partial update; out-of-range values are rejected with field errors. Audited.",
        tags: ["settings"],
      }),
    )
    .input(ZUpdateSettingsInput)
    .output(ZSettingsOutput)
    .mutation(({ ctx, input }) => updateSettings(ctx.tenant.customerId, actorOf(ctx), input)),
});
