import { describe, expect, it } from "vitest";
import { metricsAccess } from "@/server/api/metrics-endpoint";
import { metrics, observeHttpRequest, routeTemplate } from "./metrics";

describe("route templates keep the label set bounded", () => {
  it("maps ids to {id}, assets to one route, unmatched pages to (unmatched)", () => {
    expect(routeTemplate("/api/v1/claims/0b8a8a52-7f0e-4a4c-9a49-2f7c1b1f3e10", 200)).toBe("/api/v1/claims/{id}");
    expect(routeTemplate("/api/v1/exports/123/download", 200)).toBe("/api/v1/exports/{id}/download");
    expect(routeTemplate("/api/trpc/dashboard.get,claims.list", 200)).toBe("/api/trpc/dashboard.get,claims.list");
    expect(routeTemplate("/_next/static/chunks/abc.js", 200)).toBe("/_next/*");
    expect(routeTemplate("/wp-admin/setup.php", 404)).toBe("(unmatched)");
    expect(routeTemplate("/api/v1/nope/a1b2c3d4e5f6a7b8c9d0", 404)).toBe("/api/v1/nope/{id}");
    expect(routeTemplate("/", 200)).toBe("/");
  });

  it("counts handler observations only when no server measures requests", async () => {
    observeHttpRequest({ method: "GET", path: "/api/v1/uploads/42", status: 200, seconds: 0.01, source: "handler" });
    const text = await metrics().registry.metrics();
    expect(text).toMatch(/driftline_http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/uploads\/\{id\}",status="200"\} 1/);
  });
});

describe("metrics access", () => {
  it("without a token and without our server, refuses even a loopback header (it could be forged)", () => {
    expect(metricsAccess(new Headers({ "x-driftline-client-ip": "127.0.0.1" }))).toMatchObject({ allowed: false, status: 403 });
  });
});
