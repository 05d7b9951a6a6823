import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { TRPCError } from "@trpc/server";
import { createOpenApiNodeHttpHandler } from "trpc-to-openapi";
import { logger } from "@/server/lib/logger";
import { observeHttpRequest } from "@/server/lib/metrics";
import { requestIdFrom } from "@/server/lib/request-id";
import { createContext, type TContext } from "./context";
import { openApiDocument } from "./openapi";
import { crossSiteRefusal } from "./same-origin";
import { appRouter } from "./root";

/**
 * The two doors over one router. Both add `x-request-id` and the rate-limit headers the
 * procedures set, and both cap request bodies at JSON_BODY_LIMIT while they stream in; the REST
 * door answers errors as application/problem+json (RFC 9457).
 */

export const REST_PREFIX = "/api/v1";
/** JSON bodies of either door (file uploads have their own route and UPLOAD_MAX_BYTES). */
export const JSON_BODY_LIMIT = 1024 * 1024;

function bodyTooLarge(): TRPCError {
  return new TRPCError({ code: "PAYLOAD_TOO_LARGE", message: `The request body exceeds the ${JSON_BODY_LIMIT} byte limit.` });
}

/**
 * The request with its body behind a counter: the stream fails with PAYLOAD_TOO_LARGE as soon as
 * more than JSON_BODY_LIMIT bytes have arrived (at once when Content-Length already says so), and
 * stops reading from the socket. So no door ever holds, or hands to JSON.parse, more than the
 * limit — whether or not the client declared a length (chunked bodies do not).
 */
function withCappedBody(req: Request): Request {
  if (!req.body) return req;
  const declared = Number(req.headers.get("content-length") ?? "0");
  let body: ReadableStream<Uint8Array>;
  if (declared > JSON_BODY_LIMIT) {
    void req.body.cancel().catch(() => undefined);
    body = new ReadableStream({ start: (controller) => controller.error(bodyTooLarge()) });
  } else {
    let size = 0;
    body = req.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          size += chunk.byteLength;
          if (size > JSON_BODY_LIMIT) controller.error(bodyTooLarge());
          else controller.enqueue(chunk);
        },
      }),
    );
  }
  return new Request(req.url, { method: req.method, headers: req.headers, body, signal: req.signal, duplex: "half" } as RequestInit);
}

/** One structured line per request: ids, route, status and time; never bodies or query strings. */
function logRequest(req: Request, response: Response, requestId: string, startedAt: number): Response {
  const path = new URL(req.url).pathname;
  const ms = performance.now() - startedAt;
  logger.info({ requestId, method: req.method, path, status: response.status, ms: Math.round(ms) }, "request");
  observeHttpRequest({ method: req.method, path, status: response.status, seconds: ms / 1000, source: "handler" });
  return response;
}

export async function handleTrpc(req: Request): Promise<Response> {
  const startedAt = performance.now();
  const requestId = requestIdFrom(req.headers);
  const responseHeaders = new Headers();
  const refusal = crossSiteRefusal(req.method, req.headers);
  if (refusal) return logRequest(req, problem(403, "FORBIDDEN", refusal, requestId), requestId, startedAt);
  const response = await fetchRequestHandler({
    endpoint: "/api/trpc",
    // tRPC reads the body only when a procedure asks for its input; a body over the limit then
    // fails that call with PAYLOAD_TOO_LARGE (413), as tRPC's own Node adapter does with maxBodySize.
    req: withCappedBody(req),
    router: appRouter,
    createContext: () => createContext({ headers: req.headers, requestId, responseHeaders }),
  });
  return logRequest(req, withHeaders(response, requestId, responseHeaders), requestId, startedAt);
}

/** The OpenAPI document, with an `x-request-id` like every other answer of the REST door. */
export function handleOpenApiDocument(req: Request): Response {
  return Response.json(openApiDocument(), { headers: { "x-request-id": requestIdFrom(req.headers) } });
}

function withHeaders(response: Response, requestId: string, extra: Headers): Response {
  const headers = new Headers(response.headers);
  extra.forEach((value, key) => headers.set(key, value));
  headers.set("x-request-id", requestId);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

const TITLES: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  429: "Too Many Requests",
  500: "Internal Server Error",
};

export function problem(
  status: number,
  code: string,
  detail: string,
  requestId: string,
  errors: { path: string; message: string }[] = [],
  headers?: Headers,
): Response {
  const body = {
    type: `urn:driftline:problem:${code.toLowerCase().replace(/_/g, "-")}`,
    title: TITLES[status] ?? "Error",
    status,
    detail,
    code,
    requestId,
    errors,
  };
  const responseHeaders = new Headers(headers);
  responseHeaders.set("content-type", "application/problem+json");
  responseHeaders.set("x-request-id", requestId);
  return new Response(JSON.stringify(body), { status, headers: responseHeaders });
}

/** Reads a request body up to JSON_BODY_LIMIT bytes; null when it is larger. */
async function readCapped(req: Request): Promise<string | null> {
  try {
    return await withCappedBody(req).text();
  } catch (error) {
    if (error instanceof TRPCError && error.code === "PAYLOAD_TOO_LARGE") return null;
    throw error;
  }
}

export async function handleRest(req: Request): Promise<Response> {
  const startedAt = performance.now();
  const response = await answerRest(req);
  return logRequest(req, response, response.headers.get("x-request-id") ?? "", startedAt);
}

async function answerRest(req: Request): Promise<Response> {
  const requestId = requestIdFrom(req.headers);
  const responseHeaders = new Headers();
  const refusal = crossSiteRefusal(req.method, req.headers);
  if (refusal) return problem(403, "FORBIDDEN", refusal, requestId);
  let forwarded = req;
  if (req.method !== "GET" && req.method !== "HEAD" && req.method !== "DELETE") {
    const text = await readCapped(req);
    if (text === null) return problem(413, "PAYLOAD_TOO_LARGE", `The request body exceeds the ${JSON_BODY_LIMIT} byte limit.`, requestId);
    // An empty body means "no fields", so strict schemas report missing fields, not a parse error;
    // and it is JSON whatever its Content-Type: a client sends none where the document has no
    // body (POST /alerts/{id}/acknowledge), which must not be a 415.
    const headers = new Headers(req.headers);
    if (text === "") headers.set("content-type", "application/json");
    forwarded = new Request(req.url, { method: req.method, headers, body: text === "" ? "{}" : text });
  }
  let response: Response;
  try {
    response = await runOpenApi(forwarded, () => createContext({ headers: req.headers, requestId, responseHeaders }));
  } catch (error) {
    logger.error({ requestId, err: error }, "REST handler failed");
    return problem(500, "INTERNAL", "Something went wrong on our side. Quote the request id when you report it.", requestId);
  }
  if (response.ok) return withHeaders(response, requestId, responseHeaders);
  return toProblem(response, requestId, responseHeaders);
}

type TNodeHandler = (req: Request, res: TResponseShim) => Promise<void>;
type TResponseShim = { statusCode: number; setHeader(name: string, value: string | string[]): void; end(body?: string): void };
const CONTEXT = Symbol("driftline.createContext");

let nodeHandler: TNodeHandler | undefined;

/**
 * trpc-to-openapi's node handler, built once. Its fetch adapter builds one per request, and
 * outside production that means generating (to validate) the whole OpenAPI document and the
 * route table on every request: tens of milliseconds of CPU per call, growing with the API.
 */
function restNodeHandler(): TNodeHandler {
  nodeHandler ??= createOpenApiNodeHttpHandler({
    router: appRouter,
    createContext: ({ req }: { req: unknown }) => (req as { [CONTEXT]: () => Promise<TContext> })[CONTEXT](),
  } as never) as unknown as TNodeHandler;
  return nodeHandler;
}

/**
 * The request adapter of trpc-to-openapi's createOpenApiFetchHandler (same body parsing, same
 * PARSE_ERROR on malformed JSON), over the handler above. The per-request context travels on
 * the request object.
 */
async function runOpenApi(req: Request, createRequestContext: () => Promise<TContext>): Promise<Response> {
  const url = new URL(req.url.replace(REST_PREFIX, ""));
  const contentType = req.headers.get("content-type") ?? "";
  let body: { valid: true; data: unknown } | { valid: false; cause: unknown };
  try {
    if (contentType.includes("application/json")) body = { valid: true, data: JSON.parse(await req.text()) as unknown };
    else if (contentType.includes("application/x-www-form-urlencoded")) {
      const params = new URLSearchParams(await req.text());
      body = { valid: true, data: Object.fromEntries([...new Set(params.keys())].map((key) => [key, params.getAll(key)])) };
    } else body = { valid: true, data: req.body };
  } catch (cause) {
    body = { valid: false, cause };
  }
  const proxied = new Proxy(req, {
    get(target, property) {
      if (property === "url") return url.toString();
      if (property === CONTEXT) return createRequestContext;
      if (property === "body") {
        if (!body.valid) throw new TRPCError({ code: "PARSE_ERROR", message: "Failed to parse request body", cause: body.cause });
        return body.data;
      }
      return Reflect.get(target, property) as unknown;
    },
  });
  return new Promise<Response>((resolve, reject) => {
    const headers = new Headers();
    const res: TResponseShim = {
      statusCode: 200,
      setHeader(name, value) {
        if (typeof value === "string") headers.set(name, value);
        else for (const one of value) headers.append(name, one);
      },
      end(text) {
        resolve(new Response(text, { status: res.statusCode, headers }));
      },
    };
    restNodeHandler()(proxied, res).catch(reject);
  });
}

/** Rewrites trpc-to-openapi's error body (our errorFormatter's shape) as problem+json. */
async function toProblem(response: Response, requestId: string, headers: Headers): Promise<Response> {
  const body = (await response.json().catch(() => ({}))) as {
    message?: string;
    code?: string;
    data?: { code?: string; errors?: { path: string; message: string }[] };
  };
  // Errors raised before a procedure runs (no route, wrong media type) lack our data block.
  const status = response.status;
  // A 415 goes through our errorFormatter as BAD_REQUEST; the code must match the status.
  if (status === 415) return problem(415, "UNSUPPORTED_MEDIA_TYPE", "Send the body as JSON with Content-Type: application/json.", requestId, [], headers);
  const code = body.data?.code ?? (status === 404 ? "NOT_FOUND" : (body.code ?? "ERROR"));
  const detail = status === 404 && !body.data ? "No such operation or resource." : (body.message ?? "Request failed.");
  return problem(status, code, detail, requestId, body.data?.errors ?? [], headers);
}
