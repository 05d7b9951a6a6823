import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { env } from "@/env";
import { signOut } from "@/server/services/auth/sign-in";
import { authorizeCredentials } from "./authorize-credentials";
import { principalCache } from "./principal-cache";

/**
 * next-auth handles the sign-in form post and the signed cookie; the cookie carries only the
 * id of a server-side session row (see user-sessions.ts), so logoff, revocation and disabled
 * accounts take effect on the next request.
 */

// Without NEXTAUTH_URL, derive callback URLs from the request's host (single-origin deployments).
if (!process.env.NEXTAUTH_URL) process.env.AUTH_TRUST_HOST ??= "true";

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
      // As for every change (trpc.ts): the ended session is refused from this process's next request on.
      await principalCache().sync();
    },
  },
};
