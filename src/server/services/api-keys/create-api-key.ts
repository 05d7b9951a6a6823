import { z } from "zod";
import type { TDb, TTx } from "@/server/db/client";
import { generateApiKey } from "@/server/lib/api-key-token";
import { ZMemberRole } from "@/server/services/users/create-user";

export const ZCreateApiKeyInput = z.strictObject({
  name: z.string().trim().min(1).max(100),
  role: ZMemberRole,
  expiresAt: z.coerce
    .date()
    .refine((date) => date > new Date(), "must be in the future")
    .optional(),
});
export type TCreateApiKeyInput = z.input<typeof ZCreateApiKeyInput>;

/** Creates an API key; the returned `key` is the only time the secret exists outside a hash. */
export async function createApiKey(client: TDb | TTx, context: { customerId: string; createdById?: string | null }, rawInput: TCreateApiKeyInput) {
  const input = ZCreateApiKeyInput.parse(rawInput);
  const { key, prefix, hash } = generateApiKey();
  const record = await client.apiKey.create({
    data: {
      customerId: context.customerId,
      createdById: context.createdById ?? null,
      name: input.name,
      role: input.role,
      prefix,
      keyHash: hash,
      expiresAt: input.expiresAt ?? null,
    },
    select: { id: true, name: true, prefix: true, role: true, expiresAt: true, createdAt: true },
  });
  return { ...record, key };
}
