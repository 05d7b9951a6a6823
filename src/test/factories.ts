import { randomUUID } from "node:crypto";
import { existsSync, readdirSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { encode } from "next-auth/jwt";
import pg from "pg";
import { env } from "@/env";
import { createContext } from "@/server/api/context";
import { REST_PREFIX } from "@/server/api/http";
import { createCaller } from "@/server/api/root";
import { restRoutes, serveRest } from "@/cli/serve-rest";
import { authorizeCredentials } from "@/server/auth/authorize-credentials";
import { principalCache } from "@/server/auth/principal-cache";
import { createUserSession } from "@/server/auth/user-sessions";
import { db } from "@/server/db/client";
import { clientAddressOf, parseTrustedProxies } from "@/server/lib/client-address";
import { createApiKey } from "@/server/services/api-keys/create-api-key";

/**
 * Test data with unique values per call, so test files run in parallel on one database
 * (ARCHITECTURE.md). Nothing here mocks the application: customers, users, sessions and keys
 * are real rows, session cookies are real next-auth JWTs, and the REST server is a real socket.
 */

export type TTestRole = "VIEWER" | "ANALYST" | "ADMIN";
export const TEST_ROLES: readonly TTestRole[] = ["VIEWER", "ANALYST", "ADMIN"];

export const SESSION_COOKIE = "next-auth.session-token";

export function uniqueSuffix(): string {
  return randomUUID().slice(0, 8);
}

export interface TTestCustomer {
  id: string;
  slug: string;
  name: string;
}

/** A tenant with its default detection settings row. */
export async function createTestCustomer(options: { slug?: string; name?: string } = {}): Promise<TTestCustomer> {
  const slug = options.slug ?? `t-${randomUUID()}`;
  return db().customer.create({
    data: { slug, name: options.name ?? `Test customer ${slug}`, settings: { create: {} } },
    select: { id: true, slug: true, name: true },
  });
}

export interface TTestUser {
  id: string;
  email: string;
}

/**
 * A user, optionally a member of one tenant. Without `password` the hash is a placeholder that
 * never verifies (tests that do not sign in through the form skip the argon2 cost).
 */
export async function createTestUser(
  options: { customerId?: string; role?: TTestRole; superuser?: boolean; password?: string; email?: string; disabled?: boolean } = {},
): Promise<TTestUser> {
  const email = (options.email ?? `user-${randomUUID()}@example.test`).toLowerCase();
  let passwordHash = "unused";
  if (options.password) {
    const { hashPassword } = await import("@/server/lib/passwords");
    passwordHash = await hashPassword(options.password);
  }
  return db().user.create({
    data: {
      email,
      passwordHash,
      isSuperuser: options.superuser ?? false,
      disabledAt: options.disabled ? new Date() : null,
      memberships: options.customerId ? { create: { customerId: options.customerId, role: options.role ?? "VIEWER" } } : undefined,
    },
    select: { id: true, email: true },
  });
}

export function createTestSuperuser(): Promise<TTestUser> {
  return createTestUser({ superuser: true });
}

export interface TTestSession {
  sessionId: string;
  /** The signed next-auth cookie value. */
  token: string;
  /** `cookie` header ready to send. */
  headers: Headers;
}

/**
 * Waits until this process has applied every principal change committed so far. A key, user,
 * membership or session changed straight in the database (as an operator, a script or another
 * instance would) reaches the principal cache with its notification, a few milliseconds later;
 * a change made through the API is in force for the next request already, because the mutation
 * waits for the same `sync`. Tests that write directly and then assert the very next request
 * call this in between.
 */
export async function principalChangesApplied(): Promise<void> {
  await principalCache().sync();
}

/** An operator's statement (as the database owner) changing a principal, in force here when it returns. */
export async function changePrincipalAsOwner(sql: string, params: unknown[]): Promise<void> {
  const client = new pg.Client({ connectionString: process.env.MIGRATION_DATABASE_URL });
  await client.connect();
  try {
    await client.query(sql, params);
  } finally {
    await client.end();
  }
  await principalChangesApplied();
}

/** A web session for a user, as sign-in would create it, with its session cookie. */
export async function createTestSession(userId: string, options: { activeCustomerId?: string } = {}): Promise<TTestSession> {
  const sessionId = await createUserSession(userId);
  if (options.activeCustomerId) {
    await db().userSession.update({ where: { id: sessionId }, data: { activeCustomerId: options.activeCustomerId } });
  }
  const token = await encode({ token: { sid: sessionId }, secret: env().AUTH_SECRET });
  return { sessionId, token, headers: sessionHeaders(token) };
}

export function sessionHeaders(token: string): Headers {
  return new Headers({ cookie: `${SESSION_COOKIE}=${encodeURIComponent(token)}` });
}

export interface TTestApiKey {
  id: string;
  key: string;
  prefix: string;
  role: TTestRole;
  headers: Headers;
}

/** An API key of a tenant; `key` is the plaintext, as shown once at creation. */
export async function createTestApiKey(
  customerId: string,
  role: TTestRole,
  options: { name?: string; createdById?: string | null } = {},
): Promise<TTestApiKey> {
  const created = await createApiKey(db(), { customerId, createdById: options.createdById ?? null }, { name: options.name ?? `key-${uniqueSuffix()}`, role });
  return { id: created.id, key: created.key, prefix: created.prefix, role: created.role, headers: bearerHeaders(created.key) };
}

export function bearerHeaders(key: string): Headers {
  return new Headers({ authorization: `Bearer ${key}` });
}

export interface TTestMember extends TTestUser {
  role: TTestRole;
  session: TTestSession;
}

export interface TTestTenant {
  customer: TTestCustomer;
  members: Record<TTestRole, TTestMember>;
  keys: Record<TTestRole, TTestApiKey>;
}

/** A tenant with one signed-in member and one API key per role (keys created by its ADMIN). */
export async function createTestTenant(): Promise<TTestTenant> {
  const customer = await createTestCustomer();
  const members = {} as Record<TTestRole, TTestMember>;
  const keys = {} as Record<TTestRole, TTestApiKey>;
  for (const role of TEST_ROLES) {
    const user = await createTestUser({ customerId: customer.id, role });
    members[role] = { ...user, role, session: await createTestSession(user.id) };
  }
  // Keys are created by the tenant's ADMIN, as through the API (some actions credit the creator).
  for (const role of TEST_ROLES) {
    keys[role] = await createTestApiKey(customer.id, role, { name: `${role.toLowerCase()} key`, createdById: members.ADMIN.id });
  }
  return { customer, members, keys };
}

/** An in-process tRPC caller with exactly the context an HTTP request with `headers` gets. */
export async function callerFor(headers: Headers = new Headers(), options: { requestId?: string; ip?: string } = {}) {
  const withIp = new Headers(headers);
  if (options.ip) withIp.set("x-driftline-client-ip", options.ip);
  return createCaller(await createContext({ headers: withIp, requestId: options.requestId ?? randomUUID() }));
}

export interface TRestServer {
  /** e.g. http://127.0.0.1:54321 */
  origin: string;
  /** `${origin}/api/v1` */
  baseUrl: string;
  close(): Promise<void>;
}

/**
 * The whole body is read before the handler runs: a server that answers 413 while the client is
 * still uploading makes fetch fail with a reset socket instead of showing the answer.
 */
async function toRequest(req: http.IncomingMessage, origin: string): Promise<Request> {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
  }
  const method = req.method ?? "GET";
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const hasBody = method !== "GET" && method !== "HEAD";
  return new Request(new URL(req.url ?? "/", origin), { method, headers, body: hasBody ? Buffer.concat(chunks) : undefined });
}

const APP_DIR = fileURLToPath(new URL("../app", import.meta.url));

type TRouteModule = Record<
  string,
  ((request: Request, context: { params: Promise<Record<string, string | string[]>> }) => Response | Promise<Response>) | undefined
>;

/**
 * The route tree is read once per directory and each route module imported once, as `next start`
 * loads them once: a directory listing and a dynamic import (through the TypeScript loader) on
 * every request cost more than many handlers and would count as the handler's time in
 * `npm run bench` (api.listOverheadRatio).
 */
const directoryListings = new Map<string, string[] | null>();
const routeModules = new Map<string, Promise<TRouteModule>>();

function subdirectories(dir: string): string[] | null {
  if (!directoryListings.has(dir)) {
    let entries: string[] | null;
    try {
      entries = readdirSync(dir, { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .map((entry) => entry.name);
    } catch {
      entries = null;
    }
    directoryListings.set(dir, entries);
  }
  return directoryListings.get(dir)!;
}

const routeFiles = new Map<string, boolean>();

function routeFileExists(file: string): boolean {
  if (!routeFiles.has(file)) routeFiles.set(file, existsSync(file));
  return routeFiles.get(file)!;
}

function routeModule(file: string): Promise<TRouteModule> {
  let module = routeModules.get(file);
  if (!module) {
    module = import(/* @vite-ignore */ file) as Promise<TRouteModule>;
    // A failed import is not kept: the next request tries again and shows the error.
    module.catch(() => routeModules.delete(file));
    routeModules.set(file, module);
  }
  return module;
}

/**
 * Finds the Next.js route file for a path the way the App Router does: a static segment before
 * a `[param]` before a `[...catchAll]`. So the test server answers every route handler under
 * /api exactly as `next start` would (uploads, exports, openapi.json, tRPC, the REST catch-all)
 * without a list to keep in step.
 */
function resolveRoute(
  dir: string,
  segments: string[],
  params: Record<string, string | string[]>,
): { file: string; params: Record<string, string | string[]> } | null {
  if (segments.length === 0) {
    const file = path.join(dir, "route.ts");
    return routeFileExists(file) ? { file, params } : null;
  }
  const [head, ...rest] = segments as [string, ...string[]];
  const entries = subdirectories(dir);
  if (!entries) return null;
  if (entries.includes(head)) {
    const found = resolveRoute(path.join(dir, head), rest, params);
    if (found) return found;
  }
  for (const name of entries.filter((entry) => /^\[[^.\]]+\]$/.test(entry))) {
    const found = resolveRoute(path.join(dir, name), rest, { ...params, [name.slice(1, -1)]: decodeURIComponent(head) });
    if (found) return found;
  }
  const catchAll = entries.find((entry) => /^\[\.\.\.[^\]]+\]$/.test(entry));
  if (catchAll) {
    const file = path.join(dir, catchAll, "route.ts");
    if (routeFileExists(file)) return { file, params: { ...params, [catchAll.slice(4, -1)]: segments.map(decodeURIComponent) } };
  }
  return null;
}

/** The App Router paths of the route files under `dir` (`/api/v1/uploads`, `/api/v1/exports/[id]/download`). */
function appRoutes(dir: string, prefix = ""): string[] {
  const here = routeFileExists(path.join(dir, "route.ts")) ? [prefix] : [];
  return here.concat((subdirectories(dir) ?? []).flatMap((name) => appRoutes(path.join(dir, name), `${prefix}/${name}`)));
}

/**
 * POST /api/auth/callback/credentials answered by the credentials check next-auth calls
 * (authorizeCredentials): 200 with the new session id, 401 for bad credentials, 429 when rate
 * limited. next-auth's own envelope (CSRF token, redirects, cookie) needs Next's request scope
 * and is covered by the browser journeys.
 */
async function signInOverHttp(request: Request): Promise<Response> {
  const form = new URLSearchParams(await request.text());
  try {
    const result = await authorizeCredentials({ email: form.get("email") ?? "", password: form.get("password") ?? "" }, request.headers);
    return result ? Response.json({ ok: true, sessionId: result.sid }) : Response.json({ ok: false, error: "CredentialsSignin" }, { status: 401 });
  } catch (error) {
    if ((error as Error).message === "RateLimited") return Response.json({ ok: false, error: "RateLimited" }, { status: 429 });
    throw error;
  }
}

async function dispatch(request: Request): Promise<Response> {
  const { pathname } = new URL(request.url);
  if (pathname === "/api/auth/callback/credentials" && request.method === "POST") return signInOverHttp(request);
  const route = pathname.startsWith("/api/") ? resolveRoute(APP_DIR, pathname.split("/").filter(Boolean), {}) : null;
  if (!route) return new Response("Not found", { status: 404 });
  const module = await routeModule(route.file);
  const handler = module[request.method];
  if (!handler) return new Response("Method not allowed", { status: 405 });
  return handler(request, { params: Promise.resolve(route.params) });
}

async function writeResponse(response: Response, res: http.ServerResponse): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  response.headers.forEach((value, name) => {
    if (name === "set-cookie") return;
    headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers["set-cookie"] = cookies;
  res.writeHead(response.status, headers);
  res.end(Buffer.from(await response.arrayBuffer()));
}

/**
 * A real HTTP server on 127.0.0.1 (ephemeral port): the REST door answered as the web role answers
 * it (serve-rest.ts), and the Next.js route handlers under /api, routed by their file names (see
 * resolveRoute): the other REST routes under /api/v1, tRPC under /api/trpc.
 * The client address header is set as `npm start` sets it, never from the caller: the socket's
 * peer, or — with `trustedProxies` (TRUSTED_PROXIES syntax) and a trusted peer — X-Forwarded-For.
 */
export async function startRestServer(options: { trustedProxies?: string } = {}): Promise<TRestServer> {
  let origin = "";
  const trusted = parseTrustedProxies(options.trustedProxies);
  const rest = restRoutes(appRoutes(APP_DIR));
  const server = http.createServer((req, res) => {
    req.headers["x-driftline-client-ip"] = clientAddressOf(req, trusted);
    // The REST door as the web role answers it (serve-rest.ts); the route modules for the rest.
    if (rest.answersHere(req.method, req.url)) return void serveRest(req, res);
    toRequest(req, origin)
      .then(dispatch)
      .then((response) => writeResponse(response, res))
      .catch((error: unknown) => {
        // The handlers answer errors themselves; reaching this is a bug the tests must see.
        res.writeHead(599, { "content-type": "text/plain" });
        res.end(`test server: unhandled ${error instanceof Error ? error.stack : String(error)}`);
      });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    baseUrl: `${origin}${REST_PREFIX}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
