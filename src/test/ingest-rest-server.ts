import http from "node:http";
import type { AddressInfo } from "node:net";
import { GET as getUploadsOrList, POST as postUpload } from "@/app/api/v1/uploads/route";
import { GET as getTemplate } from "@/app/api/v1/uploads/template.csv/route";
import { handleOpenApiDocument, handleRest, REST_PREFIX } from "@/server/api/http";

/**
 * A real HTTP server on 127.0.0.1 in front of the REST door, routed the way Next.js routes it:
 * the static route files of /api/v1/uploads (POST upload, GET list via handleRest) and
 * /api/v1/uploads/template.csv first, then the [...path] catch-all (handleRest). The body is read
 * whole before the handler runs, so a 413 answer is seen instead of a reset socket.
 */
export interface TIngestRestServer {
  baseUrl: string;
  close(): Promise<void>;
}

function route(request: Request): Promise<Response> | Response {
  const { pathname } = new URL(request.url);
  if (pathname === `${REST_PREFIX}/uploads`) return request.method === "POST" ? postUpload(request) : getUploadsOrList(request);
  if (pathname === `${REST_PREFIX}/uploads/template.csv`) return getTemplate();
  if (pathname === `${REST_PREFIX}/openapi.json`) return handleOpenApiDocument(request);
  return handleRest(request);
}

export async function startIngestRestServer(): Promise<TIngestRestServer> {
  let origin = "";
  const server = http.createServer((req, res) => {
    void (async () => {
      try {
        const chunks: Buffer[] = [];
        for await (const chunk of req) chunks.push(chunk as Buffer);
        const headers = new Headers();
        for (const [name, value] of Object.entries(req.headers)) {
          if (value !== undefined) for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
        }
        headers.set("x-driftline-client-ip", req.socket.remoteAddress ?? "unknown");
        const method = req.method ?? "GET";
        const body = method === "GET" || method === "HEAD" ? undefined : Buffer.concat(chunks);
        const response = await route(new Request(new URL(req.url ?? "/", origin), { method, headers, body }));
        const out: Record<string, string> = {};
        response.headers.forEach((value, name) => (out[name] = value));
        res.writeHead(response.status, out);
        res.end(Buffer.from(await response.arrayBuffer()));
      } catch (error) {
        res.writeHead(599, { "content-type": "text/plain" });
        res.end(`test server: unhandled ${error instanceof Error ? error.stack : String(error)}`);
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    baseUrl: `${origin}${REST_PREFIX}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
