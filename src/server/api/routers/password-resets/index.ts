import { z } from "zod";
import { anonymousProcedure, createTRPCRouter } from "@/server/api/trpc";
import { ZPassword } from "@/server/services/users/create-user";
import { completePasswordReset, requestPasswordReset, ZEmail, ZResetToken } from "@/server/services/users/reset-passwords";

/** The "forgot password" and "choose a new password" pages (web app only, before sign-in). */
export const passwordResetsRouter = createTRPCRouter({
  request: anonymousProcedure
    .input(z.strictObject({ email: ZEmail }))
    .output(z.object({ message: z.string() }))
    .mutation(({ input }) => requestPasswordReset(input.email)),

  complete: anonymousProcedure
    .input(z.strictObject({ token: ZResetToken, password: ZPassword }))
    .output(z.object({ reset: z.boolean() }))
    .mutation(({ ctx, input }) => completePasswordReset(input, { requestId: ctx.requestId, ip: ctx.ip })),
});
