import { z } from "zod";
import { rest } from "@/server/api/openapi-meta";
import { createTRPCRouter, publicProcedure } from "@/server/api/trpc";

export const healthRouter = createTRPCRouter({
  check: publicProcedure
    .meta(rest("GET", "/health", { summary: "Liveness", description: "Answers when the service is up. No authentication.", tags: ["health"], public: true }))
    .input(z.object({}).strict().optional())
    .output(z.object({ status: z.literal("ok"), time: z.string() }))
    .query(() => ({ status: "ok" as const, time: new Date().toISOString() })),
});
