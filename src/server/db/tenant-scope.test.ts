import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/server/db/client";
import { SCOPED_OPERATIONS, scopeArgs, tenantDb, TenantScopeError } from "@/server/db/tenant-scope";
import { createTestCustomer, type TTestCustomer } from "@/test/factories";

/**
 * The tenant-scope extension fails closed: an operation it does not know how to scope is
 * refused, never passed through without the tenant filter. Prisma's model delegates carry
 * operations (findRaw, aggregateRaw) that no Driftline code uses and that a newer Prisma may
 * extend; each must either be scoped or throw.
 */

let a: TTestCustomer;

beforeAll(async () => {
  a = await createTestCustomer();
});

afterAll(async () => {
  await db()
    .customer.delete({ where: { id: a.id } })
    .catch(() => {});
});

/** Function-valued properties of a model delegate: the operations a caller can invoke. */
function delegateOperations(delegate: object): string[] {
  return Object.keys(delegate).filter((key) => !key.startsWith("$") && typeof (delegate as Record<string, unknown>)[key] === "function");
}

describe("the tenant-scope extension fails closed", () => {
  it("an operation it does not know is refused, not passed through unfiltered", () => {
    for (const operation of ["findRaw", "aggregateRaw", "someFutureOperation"]) {
      expect(() => scopeArgs("ClaimLine", operation, { where: {} }, a.id)).toThrow(TenantScopeError);
      expect(() => scopeArgs("ClaimLine", operation, {}, null)).toThrow(/not an operation tenant-scope.ts knows how to scope/);
    }
  });

  it("every operation a model delegate offers is either scoped or refused through tenantDb", async () => {
    const scoped = tenantDb(a.id);
    const delegate = scoped.claimLine as unknown as Record<string, (args?: unknown) => Promise<unknown>>;
    const operations = delegateOperations(delegate);
    // The list is read from Prisma itself, so an operation a new version adds is covered here.
    expect(operations).toEqual(expect.arrayContaining(["findMany", "updateMany", "findRaw", "aggregateRaw"]));
    const unscoped = operations.filter((operation) => !SCOPED_OPERATIONS.has(operation));
    expect(unscoped.length).toBeGreaterThan(0);
    for (const operation of unscoped) {
      await expect(delegate[operation]!({}), operation).rejects.toThrow(TenantScopeError);
    }
  });

  it("known operations still work and stay scoped", async () => {
    const scoped = tenantDb(a.id);
    expect(await scoped.customer.count()).toBe(1);
    expect(await tenantDb(null).customer.count()).toBe(0);
  });
});
