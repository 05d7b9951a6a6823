import "server-only";
import { TRPCError } from "@trpc/server";
import { headers } from "next/headers";
import { notFound, redirect } from "next/navigation";
import { requestIdFrom } from "@/server/lib/request-id";
import { createContext } from "./context";
import { createCaller } from "./root";

/** Server components call procedures directly, with the same context as the HTTP doors. */
export async function serverCaller() {
  const incoming = await headers();
  const ctx = await createContext({ headers: new Headers(incoming), requestId: requestIdFrom(incoming) });
  return createCaller(ctx);
}

/**
 * Runs a procedure for a page: no session sends the visitor to sign in, a role failure to the
 * 403 page, and a missing or foreign object to the not-found page.
 */
export async function forPage<T>(call: (caller: Awaited<ReturnType<typeof serverCaller>>) => Promise<T>): Promise<T> {
  const caller = await serverCaller();
  try {
    return await call(caller);
  } catch (error) {
    if (error instanceof TRPCError) {
      if (error.code === "UNAUTHORIZED") redirect("/sign-in");
      if (error.code === "FORBIDDEN") redirect("/forbidden");
      if (error.code === "NOT_FOUND") notFound();
    }
    throw error;
  }
}
