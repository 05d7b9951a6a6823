import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { env } from "@/env";
import { AppError } from "@/server/lib/errors";
import { signInWithPassword, signOut } from "@/server/services/auth/sign-in";

/**
 * next-auth handles the sign-in form post and the signed cookie; the cookie carries only the
 * id of a server-side session row (see user-sessions.ts), so logoff, revocation and disabled
 * accounts take effect on the next request.
 */

// Without NEXTAUTH_URL, derive callback URLs from the request's host (single-origin deployments).
if (!process.env.NEXTAUTH_URL) process.env.AUTH_TRUST_HOST ??= "true";

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
export async function authorizeCredentials(
  credentials: Record<string, string> | undefined,
  headers: unknown,
): Promise<{ id: string; sid: string } | null> {
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

export const authOptions: NextAuthOptions = {
  secret: env().AUTH_SECRET,
  session: { strategy: "jwt", maxAge: env().SESSION_MAX_HOURS * 3600 },
  pages: { signIn: "/sign-in", error: "/sign-in" },
  providers: [
    CredentialsProvider({
      name: "Email and password",
      credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
      authorize: (credentials, req) => authorizeCredentials(credentials, req?.headers),
    }),
  ],
  callbacks: {
    jwt({ token, user }) {
      if (user && "sid" in user) token.sid = user.sid;
      return token;
    },
    session({ session, token }) {
      return { ...session, sid: token.sid };
    },
  },
  events: {
    async signOut({ token }) {
      if (typeof token?.sid === "string") await signOut(token.sid);
    },
  },
};
