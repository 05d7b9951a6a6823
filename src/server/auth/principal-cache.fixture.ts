/**
 * Test fixture for principal-cache.test.ts, run as a separate Node process (tsx): a second web
 * instance with its own pools and its own principal cache. Prints `{"baseUrl": …}` once it
 * listens for HTTP and for invalidations, and exits when its stdin closes.
 *
 *   tsx src/server/auth/principal-cache.fixture.ts
 */
import { closePrincipalCache, principalCache } from "@/server/auth/principal-cache";
import { disconnectDb } from "@/server/db/client";
import { closeRateLimitStore } from "@/server/lib/rate-limit";
import { startRestServer } from "@/test/factories";

async function main(): Promise<void> {
  const server = await startRestServer();
  if (!(await principalCache().whenListening())) throw new Error("the invalidation channel did not subscribe");
  process.stdout.write(`${JSON.stringify({ baseUrl: server.baseUrl })}\n`);
  process.stdin.resume();
  await new Promise<void>((resolve) => process.stdin.on("end", resolve).on("close", resolve));
  await server.close();
  await Promise.allSettled([closePrincipalCache(), disconnectDb(), closeRateLimitStore()]);
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
