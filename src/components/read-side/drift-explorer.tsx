"use client";

import { keepPreviousData, useInfiniteQuery, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import { useTRPC } from "@/trpc/react";
import { driftHeadline } from "./drift-narrative";
import { ExportButton } from "./export-button";
import { cptGroupLabel, DRIFT_TYPE_LABEL, formatDateTime, formatMoney, severityLabel } from "./format";
import type { TDriftEventData, TRole } from "./types";
import "./read-side.css";

const PAGE_SIZE = 25;
const ORDERINGS = [
  { value: "-lastDetectedAt", label: "Newest detection first" },
  { value: "-severity", label: "Most severe first" },
  { value: "severity", label: "Least severe first" },
  { value: "-firstDetectedAt", label: "Newest first detection" },
  { value: "qValue", label: "Strongest evidence first" },
];
const DRIFT_TYPES = ["DENIAL_RATE", "PAYMENT_AMOUNT", "DECISION_TIME", "DENIAL_REASON", "UNDERPAYMENT"] as const;

type TFilters = {
  status?: "ACTIVE" | "RESOLVED";
  driftType?: (typeof DRIFT_TYPES)[number];
  payerId?: string;
  cptGroup?: string;
  minSeverity?: number;
  search?: string;
  ordering: string;
};

function filtersFrom(search: URLSearchParams): TFilters {
  const status = search.get("status");
  const driftType = search.get("driftType");
  const minSeverity = search.get("minSeverity");
  return {
    status: status === "ACTIVE" || status === "RESOLVED" ? status : undefined,
    driftType: DRIFT_TYPES.find((t) => t === driftType),
    payerId: search.get("payerId") || undefined,
    cptGroup: search.get("cptGroup") || undefined,
    minSeverity: minSeverity ? Number(minSeverity) : undefined,
    search: search.get("q") || undefined,
    ordering: search.get("ordering") || "-lastDetectedAt",
  };
}

/** The drift explorer: filters, search and ordering in the URL; infinite scroll or page numbers. */
export function DriftExplorer({ role }: { role: TRole }) {
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const search = useSearchParams();
  const filters = filtersFrom(search);
  const mode = search.get("mode") === "pages" ? "pages" : "scroll";
  const page = Math.max(1, Number(search.get("page") ?? "1") || 1);
  const payers = useQuery(trpc.catalogues.payers.queryOptions({ limit: 100 }));
  const groups = useQuery(trpc.catalogues.cptGroups.queryOptions());
  const [text, setText] = useState(filters.search ?? "");

  function update(next: Record<string, string | undefined>, resetPage = true) {
    const params = new URLSearchParams(search.toString());
    for (const [key, value] of Object.entries(next)) {
      if (value) params.set(key, value);
      else params.delete(key);
    }
    if (resetPage && !("page" in next)) params.delete("page");
    router.replace(`${pathname}?${params.toString()}`, { scroll: false });
  }

  // Search as you type, once typing pauses.
  useEffect(() => {
    const timer = setTimeout(() => {
      if ((filters.search ?? "") !== text.trim()) update({ q: text.trim() || undefined });
    }, 350);
    return () => clearTimeout(timer);
  }, [text]);

  const input = { ...filters };
  return (
    <div className="read-side">
      <div className="page-head">
        <h1>Drift events</h1>
        {role !== "VIEWER" && (
          <ExportButton
            kind="DRIFT_EVENTS"
            params={{ status: filters.status, driftType: filters.driftType, payerId: filters.payerId, cptGroup: filters.cptGroup }}
          />
        )}
      </div>
      <form className="filters" aria-label="Filter drift events" onSubmit={(e) => e.preventDefault()} role="search">
        <label>
          Search
          <input type="search" value={text} onChange={(e) => setText(e.target.value)} placeholder="Payer, CPT group or CARC" />
        </label>
        <label>
          Status
          <select value={filters.status ?? ""} onChange={(e) => update({ status: e.target.value || undefined })}>
            <option value="">All</option>
            <option value="ACTIVE">Active</option>
            <option value="RESOLVED">Resolved</option>
          </select>
        </label>
        <label>
          Type
          <select value={filters.driftType ?? ""} onChange={(e) => update({ driftType: e.target.value || undefined })}>
            <option value="">All types</option>
            {DRIFT_TYPES.map((t) => (
              <option key={t} value={t}>
                {DRIFT_TYPE_LABEL[t]}
              </option>
            ))}
          </select>
        </label>
        <label>
          Payer
          <select value={filters.payerId ?? ""} onChange={(e) => update({ payerId: e.target.value || undefined })}>
            <option value="">All payers</option>
            {payers.data?.items.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          CPT group
          <select value={filters.cptGroup ?? ""} onChange={(e) => update({ cptGroup: e.target.value || undefined })}>
            <option value="">All groups</option>
            {groups.data?.items.map((g) => (
              <option key={g.code} value={g.code}>
                {g.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Severity
          <select value={filters.minSeverity?.toString() ?? ""} onChange={(e) => update({ minSeverity: e.target.value || undefined })}>
            <option value="">Any</option>
            <option value="0.5">Medium and up</option>
            <option value="0.7">High and up</option>
            <option value="0.85">Critical</option>
          </select>
        </label>
        <label>
          Order
          <select value={filters.ordering} onChange={(e) => update({ ordering: e.target.value })}>
            {ORDERINGS.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
        </label>
        <fieldset className="toolbar" style={{ border: "none", padding: 0, margin: 0 }}>
          <legend className="sr-only">View</legend>
          <button
            type="button"
            className={mode === "scroll" ? undefined : "secondary"}
            aria-pressed={mode === "scroll"}
            onClick={() => update({ mode: undefined })}
          >
            Scroll
          </button>
          <button
            type="button"
            className={mode === "pages" ? undefined : "secondary"}
            aria-pressed={mode === "pages"}
            onClick={() => update({ mode: "pages" })}
          >
            Pages
          </button>
        </fieldset>
      </form>
      {mode === "scroll" ? <ScrollList input={input} /> : <PagedList input={input} page={page} onPage={(p) => update({ page: String(p) }, false)} />}
    </div>
  );
}

function ScrollList({ input }: { input: TFilters }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  // Each page is the cursor API's own query (tRPC's infiniteQueryOptions adds a `direction`
  // field that the strict list inputs refuse), chained by nextCursor.
  const query = useInfiniteQuery({
    queryKey: [...trpc.driftEvents.list.queryKey({ ...input, limit: PAGE_SIZE }), "infinite"],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) => queryClient.fetchQuery(trpc.driftEvents.list.queryOptions({ ...input, limit: PAGE_SIZE, cursor: pageParam ?? undefined })),
    getNextPageParam: (last) => last.nextCursor ?? null,
  });
  const sentinel = useRef<HTMLDivElement>(null);
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = query;
  useEffect(() => {
    const node = sentinel.current;
    if (!node || !hasNextPage) return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting) && !isFetchingNextPage) void fetchNextPage();
      },
      { rootMargin: "400px" },
    );
    observer.observe(node);
    return () => observer.disconnect();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage]);

  const items = query.data?.pages.flatMap((p) => p.items) ?? [];
  if (query.isError)
    return (
      <p role="alert" className="error">
        {query.error.message}
      </p>
    );
  if (query.isPending) return <ListSkeleton />;
  if (items.length === 0) return <EmptyList />;
  return (
    <>
      <EventTable items={items} caption={`${items.length} drift events loaded${hasNextPage ? "; more load as you scroll" : ""}`} />
      <div ref={sentinel} />
      <div className="pager" aria-live="polite">
        {hasNextPage ? (
          <button type="button" className="secondary" onClick={() => void fetchNextPage()} disabled={isFetchingNextPage}>
            {isFetchingNextPage ? "Loading…" : "Load more"}
          </button>
        ) : (
          <span className="muted">All {items.length} events shown.</span>
        )}
      </div>
    </>
  );
}

function PagedList({ input, page, onPage }: { input: TFilters; page: number; onPage: (page: number) => void }) {
  const trpc = useTRPC();
  const query = useQuery(trpc.driftEvents.list.queryOptions({ ...input, page, pageSize: PAGE_SIZE }, { placeholderData: keepPreviousData }));
  if (query.isError)
    return (
      <p role="alert" className="error">
        {query.error.message}
      </p>
    );
  if (!query.data) return <ListSkeleton />;
  const { items, total = 0, totalPages = 0 } = query.data;
  if (total === 0) return <EmptyList />;
  const numbers = pageNumbers(page, totalPages);
  return (
    <>
      <EventTable items={items} caption={`Page ${page} of ${totalPages}, ${total} drift events`} />
      <nav className="pager" aria-label="Pages">
        <button type="button" className="secondary" disabled={page <= 1} onClick={() => onPage(page - 1)}>
          Previous
        </button>
        {numbers.map((n, i) =>
          n === null ? (
            <span key={`gap-${i}`} aria-hidden="true">
              …
            </span>
          ) : (
            <button
              key={n}
              type="button"
              className={n === page ? undefined : "secondary"}
              aria-current={n === page ? "page" : undefined}
              aria-label={`Page ${n}`}
              onClick={() => onPage(n)}
            >
              {n}
            </button>
          ),
        )}
        <button type="button" className="secondary" disabled={page >= totalPages} onClick={() => onPage(page + 1)}>
          Next
        </button>
        <span className="muted">{total} events</span>
      </nav>
    </>
  );
}

/** 1 … 4 5 [6] 7 8 … 20 */
function pageNumbers(page: number, total: number): (number | null)[] {
  const wanted = new Set([1, total, page - 2, page - 1, page, page + 1, page + 2].filter((n) => n >= 1 && n <= total));
  const sorted = [...wanted].sort((a, b) => a - b);
  const out: (number | null)[] = [];
  for (const n of sorted) {
    const previous = out.at(-1);
    if (typeof previous === "number" && n - previous > 1) out.push(null);
    out.push(n);
  }
  return out;
}

function ListSkeleton() {
  return <div className="skeleton" style={{ height: 300 }} aria-busy="true" aria-label="Loading drift events" />;
}

function EmptyList() {
  return (
    <div className="empty" role="status">
      No drift events match. Detection runs daily; change the filters, or start a run on the <Link href="/runs">Runs</Link> page.
    </div>
  );
}

function EventTable({ items, caption }: { items: TDriftEventData[]; caption: string }) {
  return (
    <div className="table-wrap" role="region" aria-label="Drift events table" tabIndex={0}>
      <table>
        <caption className="sr-only">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">What changed</th>
            <th scope="col">Payer</th>
            <th scope="col">Procedures</th>
            <th scope="col">Severity</th>
            <th scope="col" className="num">
              At risk / month
            </th>
            <th scope="col">Status</th>
            <th scope="col">Last detected</th>
          </tr>
        </thead>
        <tbody>
          {items.map((event) => (
            <tr key={event.id}>
              <td>
                <Link href={`/drift-events/${event.id}`}>
                  {DRIFT_TYPE_LABEL[event.driftType]}
                  {event.denialReason ? ` ${event.denialReason}` : ""}
                </Link>
                <div className="muted" style={{ fontSize: 13 }}>
                  {driftHeadline(event)}
                </div>
              </td>
              <td>{event.payer.name}</td>
              <td>{cptGroupLabel(event.cptGroup)}</td>
              <td>
                <span className={`badge ${severityLabel(event.severity).toLowerCase()}`}>{severityLabel(event.severity)}</span>
              </td>
              <td className="num">{formatMoney(event.estimatedRevenueImpact)}</td>
              <td>
                <span className={`badge ${event.status === "ACTIVE" ? "active" : "neutral"}`}>{event.status.toLowerCase()}</span>
              </td>
              <td>{formatDateTime(event.lastDetectedAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
