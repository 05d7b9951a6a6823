import { readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { restRoutes } from "./serve-rest";

const V1_DIR = fileURLToPath(new URL("../app/api/v1", import.meta.url));

/** Every route file under src/app/api/v1 as its App Router path. */
function v1Routes(dir = V1_DIR, prefix = "/api/v1"): string[] {
  const entries = readdirSync(dir, { withFileTypes: true });
  const here = entries.some((entry) => entry.isFile() && entry.name === "route.ts") ? [prefix] : [];
  return here.concat(entries.filter((entry) => entry.isDirectory()).flatMap((entry) => v1Routes(path.join(dir, entry.name), `${prefix}/${entry.name}`)));
}

describe("which requests the web role's REST door answers ahead of Next.js", () => {
  const routes = v1Routes();
  const door = restRoutes(routes);

  it("answers the catch-all's paths with every method the catch-all exports", () => {
    for (const method of ["GET", "POST", "PATCH", "PUT", "DELETE"]) {
      expect(door.answersHere(method, "/api/v1/drift-events?limit=50&ordering=-severity")).toBe(true);
      expect(door.answersHere(method, "/api/v1/alerts/6f9efab8-63a0-4830-b0ef-0b6c6b82b7eb/acknowledge")).toBe(true);
      expect(door.answersHere(method, "/api/v1/claims/payer-summary")).toBe(true);
    }
  });

  it("leaves every other route file under /api/v1 to Next.js, whatever its parameters", () => {
    const specific = routes.filter((route) => route !== "/api/v1/[...path]");
    expect(specific).toEqual(expect.arrayContaining(["/api/v1/uploads", "/api/v1/exports/[id]/download", "/api/v1/openapi.json"]));
    for (const route of specific) {
      const url = route.replace(/\[[^\]]+\]/g, "a1b2");
      for (const method of ["GET", "POST"]) expect(door.answersHere(method, url), `${method} ${url}`).toBe(false);
      expect(door.answersHere("GET", `${url}?page=2`)).toBe(false);
    }
  });

  it("leaves to Next.js what it would normalise, other methods, and paths outside the REST door", () => {
    for (const url of [
      "/api/v1/drift-events/",
      "/api/v1//drift-events",
      "/api/v1/drift-events/../uploads",
      "/api/v1/./drift-events",
      "/api/v1/exports/a%2Fb/download",
      "/api/v1",
      "/api/v1x/drift-events",
      "/api/trpc/dashboard.get",
      "/dashboard",
      "http://evil.example/api/v1/drift-events",
    ]) {
      expect(door.answersHere("GET", url), url).toBe(false);
    }
    for (const method of ["HEAD", "OPTIONS", "TRACE", undefined]) expect(door.answersHere(method, "/api/v1/drift-events")).toBe(false);
  });
});
