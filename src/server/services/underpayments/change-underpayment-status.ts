import { z } from "zod";
import type { TTx } from "@/server/db/client";
import { lockRows } from "@/server/db/locks";
import { withTenantTransaction } from "@/server/db/tenant-scope";
import { auditAction, type TActor } from "@/server/lib/actor";
import { AppError } from "@/server/lib/errors";
import { ZUnderpaymentStatus } from "./list-underpayments";

/**
 * People working the worklist (ANALYST+): set the status (OPEN, APPEALED, RECOVERED,
 * WRITTEN_OFF) and/or the assignee of up to BULK_UNDERPAYMENT_LIMIT rows in one transaction.
 * Rows are locked in ascending id order (underpayments in the lock order, src/server/db/locks.ts),
 * as the worklist refresh takes them. Marking RECOVERED by hand records today as the recovery
 * date when none was recorded. The assignee must be a member of the tenant. Audited (ids, counts).
 */

export const BULK_UNDERPAYMENT_LIMIT = 500;

export const ZChangeUnderpaymentsInput = z
  .strictObject({
    ids: z.array(z.uuid()).min(1).max(BULK_UNDERPAYMENT_LIMIT),
    status: ZUnderpaymentStatus.optional(),
    assigneeId: z.uuid().nullable().optional().describe("A member of this customer; null clears the assignee."),
  })
  .refine((input) => input.status !== undefined || input.assigneeId !== undefined, { message: "send status, assigneeId or both", path: ["status"] });

export async function changeUnderpayments(customerId: string, actor: TActor, input: z.infer<typeof ZChangeUnderpaymentsInput>) {
  const ids = [...new Set(input.ids)];
  return withTenantTransaction(customerId, async (tx) => {
    if (input.assigneeId) {
      const member = await tx.membership.findFirst({ where: { userId: input.assigneeId }, select: { id: true } });
      if (!member)
        throw new AppError("BAD_REQUEST", "The assignee is not a member of this customer.", {
          errors: [{ path: "assigneeId", message: "not a member of this customer" }],
        });
    }
    const visible = await tx.underpayment.findMany({ where: { id: { in: ids } }, select: { id: true } });
    const locked = await lockRows(
      tx as unknown as TTx,
      "underpayments",
      visible.map((row) => row.id),
    );
    const data: Record<string, unknown> = {};
    if (input.status) Object.assign(data, { status: input.status, statusChangedAt: new Date(), statusChangedById: actor.userId });
    if (input.assigneeId !== undefined) data.assigneeId = input.assigneeId;
    if (locked.length > 0) {
      if (input.status === "RECOVERED") {
        // First: the CHECK wants a recovery date on every RECOVERED row.
        await tx.underpayment.updateMany({
          where: { id: { in: locked }, recoveredAt: null },
          data: { recoveredAt: new Date(`${new Date().toISOString().slice(0, 10)}T00:00:00Z`) },
        });
      }
      await tx.underpayment.updateMany({ where: { id: { in: locked } }, data });
    }
    await auditAction(
      tx,
      actor,
      customerId,
      "underpayment.bulk_change",
      { type: "underpayment" },
      {
        requested: ids.length,
        changed: locked.length,
        status: input.status ?? null,
        assigneeId: input.assigneeId ?? null,
      },
    );
    const done = new Set(locked);
    return { changed: locked, skipped: ids.filter((id) => !done.has(id)) };
  });
}
