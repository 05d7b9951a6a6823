import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { actorOf } from "@/server/api/actor-of-caller";
import { rest } from "@/server/api/openapi-meta";
import { createTRPCRouter, superuserProcedure, viewerProcedure } from "@/server/api/trpc";
import { ZListOutput, ZListParams } from "@/server/lib/pagination";
import { ZCreateCustomerInput } from "@/server/services/customers/create-customer";
import { createCustomerAudited, getCustomer, listCustomers, switchCustomer, ZCustomer } from "@/server/services/customers/manage-customers";
import { ZMemberRole } from "@/server/services/users/create-user";

export const customersRouter = createTRPCRouter({
  me: viewerProcedure
    .meta(
      rest("GET", "/customers/me", {
        summary: "Your customer and role",
        description: "The tenant the caller acts in, the caller's role there and how they are identified.",
        tags: ["customers"],
      }),
    )
    .input(z.object({}).strict().optional())
    .output(
      z.object({
        customer: ZCustomer,
        role: ZMemberRole,
        caller: z.object({ kind: z.enum(["user", "apiKey"]), label: z.string(), isSuperuser: z.boolean() }),
        viaSwitch: z.boolean(),
      }),
    )
    .query(async ({ ctx }) => ({
      customer: await getCustomer(ctx.tenant.customerId),
      role: ctx.tenant.role,
      caller: { kind: ctx.caller.kind, label: ctx.caller.label, isSuperuser: ctx.caller.isSuperuser },
      viaSwitch: ctx.tenant.viaSwitch,
    })),

  list: superuserProcedure
    .meta(rest("GET", "/customers", { summary: "List customers", description: "Every tenant of the platform. Superuser only.", tags: ["customers"] }))
    .input(ZListParams.strict())
    .output(ZListOutput(ZCustomer))
    .query(({ input }) => listCustomers(input)),

  create: superuserProcedure
    .meta(
      rest("POST", "/customers", {
        summary: "Create a customer",
        description: "Creates a tenant with default detection settings. Superuser only.",
        tags: ["customers"],
        errors: { 409: "Slug already taken" },
      }),
    )
    .input(ZCreateCustomerInput)
    .output(ZCustomer)
    .mutation(({ ctx, input }) => createCustomerAudited(actorOf(ctx), input)),

  /** Web sessions only: a superuser acts in another tenant as its ADMIN, audited. */
  switch: superuserProcedure
    .input(z.strictObject({ customerId: z.uuid().nullable() }))
    .output(ZCustomer.nullable())
    .mutation(({ ctx, input }) => {
      if (!ctx.caller.sessionId) throw new TRPCError({ code: "BAD_REQUEST", message: "Switching tenants needs a web session." });
      return switchCustomer(actorOf(ctx), ctx.caller.sessionId, input.customerId);
    }),
});
