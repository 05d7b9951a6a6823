import { z } from "zod";
import { actorOf } from "@/server/api/actor-of-caller";
import { rest } from "@/server/api/openapi-meta";
import { analystProcedure, createTRPCRouter } from "@/server/api/trpc";
import { AppError } from "@/server/lib/errors";
import { ingestClaimsBatch, ZIdempotencyKey, ZIngestClaimsInput } from "@/server/services/ingestion/ingest-claims-batch";
import { ingestionLimits } from "@/server/services/ingestion/ingestion-limits";
import { ZUpload } from "@/server/services/ingestion/upload-row";

const meta = rest("POST", "/ingest/claims", {
  summary: "Ingest a JSON batch of claim lines",
  description:
    "Applies up to 1,000 claim lines (request body at most 1 MiB) in one transaction, all or nothing. " +
    "The `Idempotency-Key` header is required: repeating a request with the same key and body returns the first answer " +
    "(`replayed: true`) without applying it again; the same key with a different body is a 409. A batch with line errors " +
    "is rejected with 400 and field paths such as `lines.3.cptCode`, and nothing is applied. Lines are unique per " +
    "(submitterClaimId, lineNumber): sending a line again with other values updates it and increments its version.",
  tags: ["ingest"],
  errors: { 409: "Idempotency-Key reused with a different body" },
});

export const ingestRouter = createTRPCRouter({
  claims: analystProcedure
    .meta({
      ...meta,
      openapi: {
        ...meta.openapi!,
        requestHeaders: z.object({
          "Idempotency-Key": z.string().min(1).max(255).describe("Unique per logical batch, e.g. a UUID; at most 255 printable ASCII characters."),
        }),
      },
    })
    .input(ZIngestClaimsInput)
    .output(z.object({ upload: ZUpload, replayed: z.boolean() }))
    .mutation(({ ctx, input }) => {
      const key = ZIdempotencyKey.safeParse(ctx.headers.get("idempotency-key") ?? undefined);
      if (!key.success) {
        const message = key.error.issues[0]?.message ?? "the Idempotency-Key header is required";
        throw new AppError("BAD_REQUEST", message, { errors: [{ path: "Idempotency-Key", message }] });
      }
      return ingestClaimsBatch(ctx.tenant.customerId, actorOf(ctx), { lines: input.lines, idempotencyKey: key.data }, ingestionLimits());
    }),
});
