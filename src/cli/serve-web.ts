import http from "node:http";
import net from "node:net";
import next from "next";
import { env } from "@/env";
import { markClientIpFromSocket } from "@/server/api/metrics-endpoint";
import { clientAddressOf } from "@/server/lib/client-address";
import { markRequestsMeasuredByServer, observeHttpRequest } from "@/server/lib/metrics";
import { restRoutesOfBuild, serveRest } from "./serve-rest";

/**
 * The web role: Next.js behind our own node:http server, which (1) writes the client address
 * into `x-driftline-client-ip` (rate limits, audit, metrics access): the socket's peer, or the
 * X-Forwarded-For client when the peer is a TRUSTED_PROXIES proxy — never the caller's word;
 * (2) measures every request for /api/metrics; and (3) drains on shutdown:
 * stop accepting, close idle keep-alive sockets, answer in-flight requests (with
 * `Connection: close`), and cut whatever is left after `drainMs`; (4) sends HSTS when the
 * process runs with DRIFTLINE_MODE=production; (5) answers the REST door itself, ahead of
 * Next.js (serve-rest.ts).
 */
export interface TDrainReport {
  /** Requests being answered when the drain began. */
  inFlight: number;
  /** Requests still unanswered when drainMs ran out (their connections were cut). */
  forced: number;
  /** Connections that sent no request within the grace period after the drain began. */
  silentClosed: number;
  ms: number;
}

export interface TWebServer {
  url: string;
  /** Stops accepting connections and waits for in-flight requests (at most drainMs). */
  drain(drainMs?: number): Promise<TDrainReport>;
}

function listen(server: http.Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(error.code === "EADDRINUSE" ? new Error(`Port ${port} is already in use: stop what uses it, or set PORT.`) : error),
    );
    server.listen(port, host, () => resolve());
  });
}

/**
 * Decided per process from the run-time environment, not in next.config.mjs: that file is read by
 * `next build`, so one build would carry the build machine's mode into every deployment. Not in a
 * Next.js proxy either: with a proxy, Next.js buffers every request body in memory (10 MB by
 * default, truncating beyond), which uploads of up to UPLOAD_MAX_BYTES must not go through.
 */
export const HSTS_VALUE = "max-age=63072000; includeSubDomains";

export async function startWebServer(options: { host: string; port: number }): Promise<TWebServer> {
  const app = next({ dev: false, dir: process.cwd(), hostname: options.host, port: options.port });
  await app.prepare();
  const handle = app.getRequestHandler();
  const rest = restRoutesOfBuild();
  const hsts = env().DRIFTLINE_MODE === "production";
  markClientIpFromSocket();
  markRequestsMeasuredByServer();
  let draining = false;
  let inFlight = 0;
  // Per connection: requests seen and requests being answered, so a drain can tell an idle
  // keep-alive socket (close it) from one just accepted whose request is still on its way.
  const sockets = new Map<net.Socket, { requests: number; active: number }>();
  const server = http.createServer((req, res) => {
    const startedAt = performance.now();
    inFlight += 1;
    const socketState = sockets.get(req.socket);
    if (socketState) {
      socketState.requests += 1;
      socketState.active += 1;
    }
    req.headers["x-driftline-client-ip"] = clientAddressOf(req);
    if (hsts) res.setHeader("strict-transport-security", HSTS_VALUE);
    if (draining) res.setHeader("connection", "close");
    res.once("close", () => {
      inFlight -= 1;
      if (socketState) socketState.active -= 1;
      const path = (req.url ?? "/").split("?")[0] ?? "/";
      observeHttpRequest({ method: req.method ?? "GET", path, status: res.statusCode, seconds: (performance.now() - startedAt) / 1000, source: "server" });
    });
    if (rest.answersHere(req.method, req.url)) void serveRest(req, res);
    else void handle(req, res);
  });
  server.on("connection", (socket: net.Socket) => {
    sockets.set(socket, { requests: 0, active: 0 });
    socket.once("close", () => sockets.delete(socket));
  });
  server.keepAliveTimeout = 5_000;
  await listen(server, options.port, options.host);

  const drain = async (drainMs = 10_000, graceMs = 1_000): Promise<TDrainReport> => {
    const began = performance.now();
    const atStart = inFlight;
    draining = true;
    // Stop listening only: http.Server#close would also close every socket without a request
    // in progress — including one accepted a moment ago whose request is still on its way,
    // which its client would see as a reset. Busy sockets are answered with Connection: close;
    // idle keep-alive sockets are closed; silent new ones get `graceMs` to send a request.
    const closed = new Promise<void>((resolve) => net.Server.prototype.close.call(server, () => resolve()));
    let silentClosed = 0;
    const sweep = () => {
      const graceOver = performance.now() - began >= graceMs;
      for (const [socket, state] of sockets) {
        if (state.active > 0) continue;
        if (state.requests > 0 || graceOver) {
          if (state.requests === 0) silentClosed += 1;
          sockets.delete(socket);
          socket.destroy();
        }
      }
    };
    sweep();
    const sweeper = setInterval(sweep, 50);
    let forced = 0;
    const timedOut = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), drainMs).unref());
    if ((await Promise.race([closed.then(() => "closed" as const), timedOut])) === "timeout") {
      forced = inFlight;
      server.closeAllConnections();
      for (const socket of sockets.keys()) socket.destroy();
      await closed;
    }
    clearInterval(sweeper);
    return { inFlight: atStart, forced, silentClosed, ms: Math.round(performance.now() - began) };
  };
  const shown = options.host === "0.0.0.0" || options.host === "::" ? "localhost" : options.host;
  return { url: `http://${shown}:${options.port}`, drain };
}
