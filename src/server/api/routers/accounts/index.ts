import { z } from "zod";
import { actorOf } from "@/server/api/actor-of-caller";
import { createTRPCRouter, superuserProcedure } from "@/server/api/trpc";
import { setAccountDisabled, ZSetAccountDisabledInput } from "@/server/services/users/disable-accounts";
import { issuePasswordReset, ZEmail } from "@/server/services/users/reset-passwords";

/** Platform accounts: superusers only (web session), like the CLI's disable-user / reset-password. */
export const accountsRouter = createTRPCRouter({
  setDisabled: superuserProcedure
    .input(ZSetAccountDisabledInput)
    .output(z.object({ id: z.uuid(), email: z.string(), disabled: z.boolean(), revokedApiKeys: z.number().int() }))
    .mutation(({ ctx, input }) => setAccountDisabled(actorOf(ctx), input)),

  issuePasswordReset: superuserProcedure
    .input(z.strictObject({ email: ZEmail }))
    .output(z.object({ delivery: z.enum(["EMAIL", "EMAIL_FAILED", "LINK"]), link: z.string().nullable() }))
    .mutation(({ ctx, input }) => issuePasswordReset(actorOf(ctx), input.email)),
});
