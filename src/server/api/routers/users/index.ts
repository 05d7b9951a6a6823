import { z } from "zod";
import { actorOf } from "@/server/api/actor-of-caller";
import { rest } from "@/server/api/openapi-meta";
import { adminProcedure, createTRPCRouter } from "@/server/api/trpc";
import { ZListOutput, ZListParams } from "@/server/lib/pagination";
import { ZMemberRole } from "@/server/services/users/create-user";
import { listMembers, removeMember, updateMember, ZMember, ZUpdateMemberInput } from "@/server/services/users/manage-members";

/**
 * Members of the tenant. People join through invitations (routers/invitations); an admin changes
 * a member's role or removes the membership, and never touches the account itself.
 */
export const usersRouter = createTRPCRouter({
  list: adminProcedure
    .meta(rest("GET", "/users", { summary: "List members", description: "Users of this customer with their role.", tags: ["users"] }))
    .input(ZListParams.extend({ role: ZMemberRole.optional() }).strict())
    .output(ZListOutput(ZMember))
    .query(({ ctx, input }) => listMembers(ctx.tenant.customerId, input)),

  update: adminProcedure
    .meta(
      rest("PATCH", "/users/{id}", {
        summary: "Change a member's role",
        description: "Changes the member's role in this customer. Accounts themselves (password, disabling) are not a customer admin's to change. Audited.",
        tags: ["users"],
        errors: { 404: "No such member", 409: "Would leave no ADMIN" },
      }),
    )
    .input(ZUpdateMemberInput)
    .output(ZMember)
    .mutation(({ ctx, input }) => updateMember(ctx.tenant.customerId, actorOf(ctx), input)),

  remove: adminProcedure
    .meta(
      rest("DELETE", "/users/{id}", {
        summary: "Remove a member",
        description:
          "Removes the user from this customer (the account stays theirs); their next request here is refused, and the API keys they created in this customer are revoked. Audited.",
        tags: ["users"],
        errors: { 404: "No such member", 409: "Would leave no ADMIN" },
      }),
    )
    .input(z.strictObject({ id: z.uuid() }))
    .output(z.object({ id: z.uuid(), removed: z.boolean(), revokedApiKeys: z.number().int() }))
    .mutation(({ ctx, input }) => removeMember(ctx.tenant.customerId, actorOf(ctx), input.id)),
});
