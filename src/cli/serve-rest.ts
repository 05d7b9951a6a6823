import { readFileSync } from "node:fs";
import type http from "node:http";
import path from "node:path";
import { handleRest, problem, REST_PREFIX } from "@/server/api/http";
import { requestIdFrom } from "@/server/lib/request-id";
import { logger } from "@/server/lib/logger";
import { SECURITY_HEADERS } from "@/server/lib/security-headers.mjs";

/**
 * The REST door answered by the web role's own HTTP server, ahead of Next.js. Next.js would route
 * these requests to the catch-all route module (src/app/api/v1/[...path]/route.ts), whose handler
 * is `handleRest`; calling that same handler here gives the same answer without Next.js's router,
 * its request wrapping and its stream piping, which cost more CPU than a warm API-key request's
 * own work (BENCHMARKS.md, "Request path"). The security headers Next.js adds come from the same
 * list (security-headers.mjs). Answers are not compressed here (Next.js gzips): gzip took a
 * 50-event list request from 6.9 to 8.9 ms end to end in `npm run bench`, more than its SQL; the
 * reverse proxy in front of the web role compresses if wanted (DEPLOYMENT.md).
 *
 * Only what Next.js would send to the catch-all comes here: a path under /api/v1 that no other
 * route file claims (the uploads, fee-schedule upload, downloads, CSV export, document and docs
 * keep their route modules), with plain segments (anything Next.js might normalise — percent
 * escapes, dot segments, empty segments, a trailing slash — goes to Next.js) and a method the
 * catch-all exports.
 */

const METHODS = new Set(["GET", "POST", "PATCH", "PUT", "DELETE"]);
/** Plain segments only: letters, digits, `-`, `_`, `~`, and dots inside a segment. */
const PLAIN_REST_PATH = /^\/api\/v1(?:\/[A-Za-z0-9_~-]+(?:\.[A-Za-z0-9_~-]+)*)+$/;
const CATCH_ALL = `${REST_PREFIX}/[...path]`;

export type TRestRoutes = { answersHere(method: string | undefined, url: string | undefined): boolean };

/** `/api/v1/exports/[id]/download` → a regular expression matching the paths Next.js routes there. */
function routePattern(route: string): RegExp {
  const source = route
    .split("/")
    .map((segment) => {
      if (/^\[\[?\.\.\.[^\]]+\]\]?$/.test(segment)) return "(?:/.*)?";
      if (/^\[[^\]]+\]$/.test(segment)) return "/[^/]+";
      return segment === "" ? "" : `/${segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`;
    })
    .join("");
  return new RegExp(`^${source}$`);
}

/**
 * Which requests the REST door answers, from the route files under /api/v1 other than the
 * catch-all: `routes` are their App Router paths (`/api/v1/uploads`, `/api/v1/exports/[id]/download`).
 */
export function restRoutes(routes: readonly string[]): TRestRoutes {
  const claimed = routes.filter((route) => route.startsWith(`${REST_PREFIX}/`) && route !== CATCH_ALL).map(routePattern);
  return {
    answersHere(method, url) {
      if (!method || !url || !METHODS.has(method)) return false;
      const query = url.indexOf("?");
      const pathname = query < 0 ? url : url.slice(0, query);
      return PLAIN_REST_PATH.test(pathname) && !claimed.some((pattern) => pattern.test(pathname));
    },
  };
}

/** The App Router routes of the build (`.next/server/app-paths-manifest.json`), e.g. `/api/v1/uploads`. */
export function restRoutesOfBuild(distDir = path.resolve(".next")): TRestRoutes {
  const manifest = JSON.parse(readFileSync(path.join(distDir, "server", "app-paths-manifest.json"), "utf8")) as Record<string, string>;
  const routes = Object.keys(manifest)
    .filter((entry) => entry.endsWith("/route"))
    .map((entry) => entry.slice(0, -"/route".length));
  return restRoutes(routes);
}

/**
 * The request body as a web stream, read as the handler asks for it. A handler that stops early
 * (a body over JSON_BODY_LIMIT) cancels it: the rest is then read and discarded rather than the
 * socket destroyed, so the client, still sending, receives the 413.
 */
function bodyOf(req: http.IncomingMessage): ReadableStream<Uint8Array> {
  let done = false;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      req.on("data", (chunk: Buffer) => {
        if (done) return;
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if ((controller.desiredSize ?? 0) <= 0) req.pause();
      });
      req.once("end", () => {
        if (!done) controller.close();
        done = true;
      });
      req.once("error", (error) => {
        if (!done) controller.error(error);
        done = true;
      });
    },
    pull() {
      req.resume();
    },
    cancel() {
      done = true;
      req.resume();
    },
  });
}

function requestOf(req: http.IncomingMessage): Request {
  const headers = new Headers();
  // req.headers, not rawHeaders: the server has replaced x-driftline-client-ip there.
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
  }
  const method = req.method ?? "GET";
  const hasBody = method !== "GET" && method !== "DELETE";
  // Only the path and query are read downstream; the origin is a placeholder, not the Host header.
  return new Request(`http://localhost${req.url ?? "/"}`, {
    method,
    headers,
    body: hasBody ? bodyOf(req) : undefined,
    duplex: "half",
  } as RequestInit);
}

async function writeAnswer(res: http.ServerResponse, response: Response): Promise<void> {
  const body = Buffer.from(await response.arrayBuffer());
  for (const { key, value } of SECURITY_HEADERS) res.setHeader(key, value);
  response.headers.forEach((value, name) => res.setHeader(name, value));
  res.setHeader("content-length", body.length);
  res.statusCode = response.status;
  res.end(body);
}

/** Answers one REST request (see restRoutes for which) with the catch-all's handler. */
export async function serveRest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  try {
    await writeAnswer(res, await handleRest(requestOf(req)));
  } catch (error) {
    // handleRest answers its own errors; this is a failure writing the answer. Answered as the
    // handler answers its own 500s (a problem with a request id), unless the headers are out.
    logger.error({ err: error }, "REST door failed");
    if (res.headersSent) return void res.end();
    const given = req.headers["x-request-id"];
    const requestId = requestIdFrom(new Headers(typeof given === "string" ? { "x-request-id": given } : {}));
    const answer = problem(500, "INTERNAL", "Something went wrong on our side. Quote the request id when you report it.", requestId);
    res.statusCode = 500;
    answer.headers.forEach((value, name) => res.setHeader(name, value));
    res.end(await answer.text());
  }
}
