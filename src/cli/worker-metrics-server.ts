import http from "node:http";
import { handleMetrics, markClientIpFromSocket } from "@/server/api/metrics-endpoint";
import { clientAddressOf } from "@/server/lib/client-address";

/**
 * A worker has no web server, yet its counters (detection runs, webhook attempts) live in its
 * own memory: with WORKER_METRICS_PORT set, `start:worker` answers GET /metrics there, with the
 * same access rule as /api/metrics (METRICS_TOKEN, else loopback callers only).
 */
export async function serveWorkerMetrics(options: { host: string; port: number }): Promise<{ close(): Promise<void> }> {
  markClientIpFromSocket();
  const server = http.createServer((req, res) => {
    void (async () => {
      if (req.method !== "GET" || (req.url ?? "").split("?")[0] !== "/metrics") {
        res.writeHead(404).end();
        return;
      }
      const headers = new Headers();
      if (req.headers.authorization) headers.set("authorization", req.headers.authorization);
      headers.set("x-driftline-client-ip", clientAddressOf(req));
      const response = await handleMetrics(new Request(`http://${options.host}/metrics`, { headers }));
      res.writeHead(response.status, Object.fromEntries(response.headers));
      res.end(await response.text());
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return { close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
