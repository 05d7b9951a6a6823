import { z } from "zod";
import type { TDb, TTx } from "@/server/db/client";
import { isUniqueViolation } from "@/server/db/prisma-errors";
import { AppError } from "@/server/lib/errors";

export const ZCreateCustomerInput = z.strictObject({
  slug: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, "lower-case letters, digits and dashes, 2–63 characters"),
  name: z.string().trim().min(1).max(200),
});
export type TCreateCustomerInput = z.infer<typeof ZCreateCustomerInput>;

/** Creates a tenant with default detection settings. */
export async function createCustomer(client: TDb | TTx, input: TCreateCustomerInput) {
  try {
    return await client.customer.create({
      data: { slug: input.slug, name: input.name, settings: { create: {} } },
      select: { id: true, slug: true, name: true, createdAt: true },
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError("CONFLICT", `A customer with slug "${input.slug}" already exists.`);
    throw error;
  }
}
