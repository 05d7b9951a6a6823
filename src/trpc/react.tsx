"use client";

import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { createTRPCClient, httpBatchLink } from "@trpc/client";
import { createTRPCContext } from "@trpc/tanstack-react-query";
import { useState, type ReactNode } from "react";
import superjson from "superjson";
import { leaveEndedSession } from "@/components/session-activity";
import type { AppRouter } from "@/server/api/root";

/** The web app's typed API client: tRPC over TanStack Query. */
export const { TRPCProvider, useTRPC } = createTRPCContext<AppRouter>();

function httpStatusOf(error: unknown): number {
  return (error as { data?: { httpStatus?: number } }).data?.httpStatus ?? 0;
}

/** A 401 means the session is over (idle logoff, revoked, disabled): show the sign-in page. */
function onApiError(error: unknown): void {
  if (httpStatusOf(error) === 401) leaveEndedSession();
}

function makeQueryClient() {
  return new QueryClient({
    queryCache: new QueryCache({ onError: onApiError }),
    mutationCache: new MutationCache({ onError: onApiError }),
    defaultOptions: {
      queries: {
        staleTime: 30_000,
        // Auth and role failures are answers, not glitches: do not retry them.
        retry: (count, error) => {
          const status = httpStatusOf(error);
          return status >= 500 && count < 2;
        },
      },
    },
  });
}

export function TRPCReactProvider({ children }: { children: ReactNode }) {
  const [queryClient] = useState(makeQueryClient);
  const [trpcClient] = useState(() => createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: "/api/trpc", transformer: superjson })] }));
  return (
    <QueryClientProvider client={queryClient}>
      <TRPCProvider trpcClient={trpcClient} queryClient={queryClient}>
        {children}
      </TRPCProvider>
    </QueryClientProvider>
  );
}
