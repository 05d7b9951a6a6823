import { afterAll, describe, expect, it } from "vitest";
import { dropAppLogins, freshLoginPasswords, provisionAppLogins, type TLoginNames } from "./app-logins";

/**
 * Several processes provision the logins at once on one database (`npm start` with a CLI next
 * to it, two CLIs, web instances starting together): each must succeed and leave the roles as
 * they must be, not fail on PostgreSQL's "tuple concurrently updated".
 */

const ownerUrl = () => process.env.MIGRATION_DATABASE_URL!;
const names: TLoginNames = { platform: `dl_race_${process.pid}_platform`, tenant: `dl_race_${process.pid}_tenant` };

afterAll(async () => {
  await dropAppLogins(ownerUrl(), names);
});

describe("provisioning the application's logins", () => {
  it("succeeds for every one of several concurrent provisioners, and the last password works", async () => {
    for (let round = 0; round < 3; round += 1) {
      const attempts = Array.from({ length: 6 }, () => provisionAppLogins(ownerUrl(), freshLoginPasswords(), names));
      const results = await Promise.allSettled(attempts);
      const failures = results.flatMap((result) => (result.status === "rejected" ? [String((result.reason as Error).message)] : []));
      expect(failures).toEqual([]);
    }
    const pg = (await import("pg")).default;
    const logins = await provisionAppLogins(ownerUrl(), freshLoginPasswords(), names);
    for (const url of [logins.platformUrl, logins.tenantUrl]) {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.end();
    }
  });
});
