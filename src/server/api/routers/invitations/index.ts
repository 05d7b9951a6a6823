import { z } from "zod";
import { actorOf } from "@/server/api/actor-of-caller";
import { rest } from "@/server/api/openapi-meta";
import { adminProcedure, anonymousProcedure, createTRPCRouter } from "@/server/api/trpc";
import { ZListOutput, ZListParams } from "@/server/lib/pagination";
import { ZMemberRole } from "@/server/services/users/create-user";
import {
  acceptInvitation,
  createInvitation,
  inspectInvitation,
  listInvitations,
  revokeInvitation,
  ZAcceptInvitationInput,
  ZCreatedInvitation,
  ZCreateInvitationInput,
  ZInvitation,
  ZInvitationToken,
} from "@/server/services/users/manage-invitations";

/**
 * Invitations: how people join a tenant. Admins create, list and withdraw them (both doors);
 * the invitee's page (web app only) opens and accepts one with its single-use token.
 */
export const invitationsRouter = createTRPCRouter({
  create: adminProcedure
    .meta(
      rest("POST", "/invitations", {
        summary: "Invite someone",
        description:
          "Invites an e-mail address with a role. The single-use link is e-mailed when SMTP_URL and PUBLIC_URL are set, otherwise returned once in `link`. The answer is the same whether or not the address has a Driftline account. A new invitation replaces an open one for the same address. Audited.",
        tags: ["users"],
        errors: { 409: "Already a member" },
      }),
    )
    .input(ZCreateInvitationInput)
    .output(ZCreatedInvitation)
    .mutation(({ ctx, input }) => createInvitation(ctx.tenant.customerId, actorOf(ctx), input)),

  list: adminProcedure
    .meta(
      rest("GET", "/invitations", {
        summary: "List invitations",
        description: "Invitations of this customer, newest first, with their status.",
        tags: ["users"],
      }),
    )
    .input(ZListParams.extend({ status: z.enum(["PENDING", "ACCEPTED", "REVOKED", "EXPIRED"]).optional() }).strict())
    .output(ZListOutput(ZInvitation))
    .query(({ ctx, input }) => listInvitations(ctx.tenant.customerId, input)),

  revoke: adminProcedure
    .meta(
      rest("DELETE", "/invitations/{id}", {
        summary: "Withdraw an invitation",
        description: "The link stops working. Audited.",
        tags: ["users"],
        errors: { 404: "No such invitation", 409: "Already accepted or withdrawn" },
      }),
    )
    .input(z.strictObject({ id: z.uuid() }))
    .output(ZInvitation)
    .mutation(({ ctx, input }) => revokeInvitation(ctx.tenant.customerId, actorOf(ctx), input.id)),

  /** The invitation page: what the link is for (a mutation, so the token never sits in a URL). */
  inspect: anonymousProcedure
    .input(z.strictObject({ token: ZInvitationToken }))
    .output(z.object({ email: z.string(), role: ZMemberRole, customerName: z.string(), expiresAt: z.date() }))
    .mutation(({ input }) => inspectInvitation(input.token)),

  accept: anonymousProcedure
    .input(ZAcceptInvitationInput)
    .output(z.object({ userId: z.uuid(), email: z.string(), customerId: z.uuid(), customerName: z.string(), role: ZMemberRole }))
    .mutation(({ ctx, input }) => {
      const signedIn =
        ctx.caller?.kind === "user" && ctx.caller.userId ? { userId: ctx.caller.userId, email: ctx.caller.label, sessionId: ctx.caller.sessionId } : null;
      return acceptInvitation({ signedIn, requestId: ctx.requestId, ip: ctx.ip }, input);
    }),
});
