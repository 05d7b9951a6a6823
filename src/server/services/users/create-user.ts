import { z } from "zod";
import type { TDb } from "@/server/db/client";
import { isUniqueViolation } from "@/server/db/prisma-errors";
import { AppError } from "@/server/lib/errors";
import { hashPassword } from "@/server/lib/passwords";

export const ZMemberRole = z.enum(["VIEWER", "ANALYST", "ADMIN"]);

export const ZPassword = z.string().min(12, "at least 12 characters").max(200);

export const ZCreateUserInput = z.strictObject({
  email: z
    .email()
    .max(254)
    .transform((email) => email.toLowerCase()),
  password: ZPassword,
  name: z.string().trim().max(200).default(""),
  superuser: z.boolean().default(false),
  membership: z.strictObject({ customerId: z.uuid(), role: ZMemberRole }).optional(),
});
export type TCreateUserInput = z.input<typeof ZCreateUserInput>;

/** Creates a user, and optionally their membership of one tenant, in one transaction. */
export async function createUser(client: TDb, rawInput: TCreateUserInput) {
  const input = ZCreateUserInput.parse(rawInput);
  const passwordHash = await hashPassword(input.password);
  try {
    return await client.user.create({
      data: {
        email: input.email,
        name: input.name,
        passwordHash,
        isSuperuser: input.superuser,
        memberships: input.membership ? { create: { customerId: input.membership.customerId, role: input.membership.role } } : undefined,
      },
      select: { id: true, email: true, name: true, isSuperuser: true, createdAt: true },
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError("CONFLICT", `A user with email ${input.email} already exists.`);
    throw error;
  }
}
