import { z } from "zod";
import { actorOf } from "@/server/api/actor";
import { rest } from "@/server/api/openapi-meta";
import { adminProcedure, createTRPCRouter } from "@/server/api/trpc";
import { ZListOutput, ZListParams } from "@/server/lib/pagination";
import { ZMemberRole } from "@/server/services/users/create-user";
import { inviteMember, listMembers, removeMember, updateMember, ZInviteMemberInput, ZMember, ZUpdateMemberInput } from "@/server/services/users/members";

export const usersRouter = createTRPCRouter({
  list: adminProcedure
    .meta(rest("GET", "/users", { summary: "List members", description: "Users of this customer with their role.", tags: ["users"] }))
    .input(ZListParams.extend({ role: ZMemberRole.optional() }).strict())
    .output(ZListOutput(ZMember))
    .query(({ ctx, input }) => listMembers(ctx.tenant.customerId, input)),

  invite: adminProcedure
    .meta(rest("POST", "/users", { summary: "Add a member", description: "Adds an existing account to this customer, or creates the account (password required then). Audited.", tags: ["users"], errors: { 409: "Already a member" } }))
    .input(ZInviteMemberInput)
    .output(ZMember)
    .mutation(({ ctx, input }) => inviteMember(ctx.tenant.customerId, actorOf(ctx), input)),

  update: adminProcedure
    .meta(rest("PATCH", "/users/{id}", { summary: "Change a member", description: "Changes the member's role, or disables an account that belongs to this customer alone. Audited.", tags: ["users"], errors: { 404: "No such member", 409: "Would leave no ADMIN" } }))
    .input(ZUpdateMemberInput)
    .output(ZMember)
    .mutation(({ ctx, input }) => updateMember(ctx.tenant.customerId, actorOf(ctx), input)),

  remove: adminProcedure
    .meta(rest("DELETE", "/users/{id}", { summary: "Remove a member", description: "Removes the user from this customer; their next request is refused. Audited.", tags: ["users"], errors: { 404: "No such member", 409: "Would leave no ADMIN" } }))
    .input(z.strictObject({ id: z.uuid() }))
    .output(z.object({ id: z.uuid(), removed: z.boolean() }))
    .mutation(({ ctx, input }) => removeMember(ctx.tenant.customerId, actorOf(ctx), input.id)),
});
