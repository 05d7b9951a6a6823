"use client";

import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { useTRPC } from "@/trpc/react";
import { formatDay } from "./format";
import "./read-side.css";

/** Superusers: every tenant, searchable, and an audited switch into one (acting as its ADMIN). */
export function TenantSwitcher({ activeCustomerId }: { activeCustomerId: string | null }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [text, setText] = useState("");
  const [search, setSearch] = useState("");
  useEffect(() => {
    const timer = setTimeout(() => setSearch(text.trim()), 300);
    return () => clearTimeout(timer);
  }, [text]);
  const queryClient = useQueryClient();
  const listInput = { limit: 50, ordering: "name", search: search || undefined };
  // Pages chained by nextCursor (tRPC's infiniteQueryOptions adds a field strict inputs refuse).
  const list = useInfiniteQuery({
    queryKey: [...trpc.customers.list.queryKey(listInput), "infinite"],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) => queryClient.fetchQuery(trpc.customers.list.queryOptions({ ...listInput, cursor: pageParam ?? undefined })),
    getNextPageParam: (last) => last.nextCursor ?? null,
  });
  const switchTo = useMutation(
    trpc.customers.switch.mutationOptions({
      onSuccess: (customer) => {
        router.push(customer ? "/" : "/tenants");
        router.refresh();
      },
    }),
  );
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <div className="read-side">
      <p className="muted">Switching is recorded in the audit log of the platform and of the tenant you enter. You act there as its ADMIN until you leave.</p>
      <div className="filters">
        <label>
          Find a tenant
          <input type="search" value={text} onChange={(e) => setText(e.target.value)} placeholder="Name or slug" />
        </label>
        {activeCustomerId && (
          <button type="button" className="secondary" onClick={() => switchTo.mutate({ customerId: null })} disabled={switchTo.isPending}>
            Leave the current tenant
          </button>
        )}
      </div>
      {switchTo.isError && (
        <p role="alert" className="error">
          {switchTo.error.message}
        </p>
      )}
      {list.isError && (
        <p role="alert" className="error">
          {list.error.message}
        </p>
      )}
      {list.isPending ? (
        <div className="skeleton" style={{ height: 200 }} aria-busy="true" aria-label="Loading tenants" />
      ) : items.length === 0 ? (
        <div className="empty" role="status">
          No tenant matches.
        </div>
      ) : (
        <div className="table-wrap" role="region" aria-label="Tenants table" tabIndex={0}>
          <table>
            <caption className="sr-only">Tenants</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Slug</th>
                <th scope="col">Created</th>
                <th scope="col">
                  <span className="sr-only">Action</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((customer) => (
                <tr key={customer.id}>
                  <th scope="row">{customer.name}</th>
                  <td>{customer.slug}</td>
                  <td>{formatDay(customer.createdAt)}</td>
                  <td>
                    {customer.id === activeCustomerId ? (
                      <span className="badge active">current</span>
                    ) : (
                      <button
                        type="button"
                        onClick={() => switchTo.mutate({ customerId: customer.id })}
                        disabled={switchTo.isPending}
                        aria-label={`Switch to ${customer.name}`}
                      >
                        Switch
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {list.hasNextPage && (
        <div className="pager">
          <button type="button" className="secondary" onClick={() => void list.fetchNextPage()} disabled={list.isFetchingNextPage}>
            More tenants
          </button>
        </div>
      )}
    </div>
  );
}
