import http from "node:http";
import next from "next";
import { markClientIpFromSocket } from "@/server/api/metrics-endpoint";
import { markRequestsMeasuredByServer, observeHttpRequest } from "@/server/lib/metrics";

/**
 * The web role: Next.js behind our own node:http server, which (1) writes the client address
 * from the socket into `x-driftline-client-ip` (rate limits, audit, metrics access — never the
 * caller's word), (2) measures every request for /api/metrics, and (3) drains on shutdown:
 * stop accepting, answer in-flight requests (with `Connection: close`), close idle keep-alive
 * sockets, and cut whatever is left after `drainMs`.
 */
export interface TWebServer {
  url: string;
  /** Stops accepting connections and waits for in-flight requests (at most drainMs). */
  drain(drainMs?: number): Promise<{ forced: number }>;
}

function listen(server: http.Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(error.code === "EADDRINUSE" ? new Error(`Port ${port} is already in use: stop what uses it, or set PORT.`) : error),
    );
    server.listen(port, host, () => resolve());
  });
}

export async function startWebServer(options: { host: string; port: number }): Promise<TWebServer> {
  const app = next({ dev: false, dir: process.cwd(), hostname: options.host, port: options.port });
  await app.prepare();
  const handle = app.getRequestHandler();
  markClientIpFromSocket();
  markRequestsMeasuredByServer();
  let draining = false;
  let inFlight = 0;
  const server = http.createServer((req, res) => {
    const startedAt = performance.now();
    inFlight += 1;
    req.headers["x-driftline-client-ip"] = req.socket.remoteAddress ?? "unknown";
    if (draining) res.setHeader("connection", "close");
    res.once("close", () => {
      inFlight -= 1;
      const path = (req.url ?? "/").split("?")[0] ?? "/";
      observeHttpRequest({ method: req.method ?? "GET", path, status: res.statusCode, seconds: (performance.now() - startedAt) / 1000, source: "server" });
    });
    void handle(req, res);
  });
  // Idle keep-alive sockets close promptly on shutdown.
  server.keepAliveTimeout = 5_000;
  await listen(server, options.port, options.host);

  const drain = async (drainMs = 10_000) => {
    draining = true;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // close() stops accepting and closes idle sockets once; keep closing those that turn idle.
    const sweeper = setInterval(() => server.closeIdleConnections(), 250);
    let forced = 0;
    const timedOut = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), drainMs).unref());
    if ((await Promise.race([closed.then(() => "closed" as const), timedOut])) === "timeout") {
      forced = inFlight;
      server.closeAllConnections();
      await closed;
    }
    clearInterval(sweeper);
    return { forced };
  };
  const shown = options.host === "0.0.0.0" || options.host === "::" ? "localhost" : options.host;
  return { url: `http://${shown}:${options.port}`, drain };
}
