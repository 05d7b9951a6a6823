import { AppError } from "@/server/lib/errors";
import { signInWithPassword } from "@/server/services/auth/sign-in";

// Kept apart from auth-options.ts, which reads the environment and next-auth when it loads: test
// servers import this one without fixing the environment early.

function header(headers: unknown, name: string): string | null {
  if (!headers) return null;
  if (headers instanceof Headers) return headers.get(name);
  const value = (headers as Record<string, string | string[] | undefined>)[name];
  return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
}

/**
 * The credentials check behind next-auth's sign-in post (exported so tests can drive it over
 * HTTP without next-auth's page machinery). The client address comes from our own server
 * (x-driftline-client-ip, see client-address.ts), never from the caller.
 */
export async function authorizeCredentials(credentials: Record<string, string> | undefined, headers: unknown): Promise<{ id: string; sid: string } | null> {
  if (!credentials?.email || !credentials.password) return null;
  try {
    const result = await signInWithPassword({
      email: credentials.email,
      password: credentials.password,
      ip: header(headers, "x-driftline-client-ip"),
      requestId: header(headers, "x-request-id"),
    });
    return result ? { id: result.userId, sid: result.sessionId } : null;
  } catch (error) {
    if (error instanceof AppError && error.code === "TOO_MANY_REQUESTS") throw new Error("RateLimited");
    throw error;
  }
}
