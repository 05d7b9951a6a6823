"use client";

import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useTRPC } from "@/trpc/react";
import { formatCount, formatDateTime } from "./format";
import type { TRole, TRunData } from "./types";
import "./read-side.css";

const PAGE_SIZE = 20;
const STEPS = ["QUEUED", "RUNNING", "SUCCEEDED"] as const;

function duration(run: TRunData): string {
  if (run.durationMs === null) return "—";
  return run.durationMs < 1000 ? `${run.durationMs} ms` : `${(run.durationMs / 1000).toFixed(1)} s`;
}

/** Detection runs: history with counts, and "Run now" with live status (polls the run). */
export function RunsView({ role }: { role: TRole }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [page, setPage] = useState(1);
  const [runId, setRunId] = useState<string | null>(null);
  const list = useQuery(trpc.reports.list.queryOptions({ page, pageSize: PAGE_SIZE }, { placeholderData: keepPreviousData }));
  const trigger = useMutation(trpc.reports.trigger.mutationOptions({ onSuccess: (run) => setRunId(run.id) }));
  const live = useQuery({
    ...trpc.reports.get.queryOptions({ id: runId ?? "00000000-0000-0000-0000-000000000000" }),
    enabled: runId !== null,
    refetchInterval: (q) => (q.state.data && (q.state.data.status === "SUCCEEDED" || q.state.data.status === "FAILED") ? false : 1000),
  });
  const current = live.data;
  const finished = current?.status === "SUCCEEDED" || current?.status === "FAILED";

  useEffect(() => {
    if (runId) void queryClient.invalidateQueries({ queryKey: trpc.reports.list.queryKey() });
    if (finished) void queryClient.invalidateQueries({ queryKey: trpc.dashboard.get.queryKey() });
  }, [runId, finished, current?.status, queryClient, trpc]);

  const data = list.data;
  return (
    <div className="read-side">
      <div className="page-head">
        <h1>Detection runs</h1>
        {role !== "VIEWER" && (
          <button type="button" onClick={() => trigger.mutate()} disabled={trigger.isPending || (runId !== null && !finished)}>
            {trigger.isPending ? "Starting…" : "Run now"}
          </button>
        )}
      </div>
      <p className="muted">
        Each run compares the recent window with the baseline for every payer and procedure group. Runs happen daily, after uploads, or when you start one.
      </p>
      {trigger.isError && (
        <p role="alert" className="error">
          {trigger.error.message}
        </p>
      )}
      <section aria-live="polite" aria-label="Current run">
        {current && (
          <div className="panel" style={{ marginBottom: 16 }}>
            <h2>
              Run {current.id.slice(0, 8)}: <span data-testid="run-status">{current.status.toLowerCase()}</span>
            </h2>
            <ol className="toolbar" style={{ listStyle: "none", padding: 0 }} aria-label="Progress">
              {STEPS.map((step) => {
                const reached = STEPS.indexOf(step) <= STEPS.indexOf(current.status === "FAILED" ? "RUNNING" : current.status);
                return (
                  <li key={step}>
                    <span className={`badge ${reached ? "active" : "neutral"}`}>
                      {reached ? "✓ " : ""}
                      {step.toLowerCase()}
                    </span>
                  </li>
                );
              })}
            </ol>
            {current.status === "FAILED" && <p className="error">The run failed: {current.error}</p>}
            {current.status === "SUCCEEDED" && (
              <p>
                Tested {formatCount(current.cellsTested)} payer × procedure cells ({formatCount(current.cellsSkipped)} too small to judge):{" "}
                {current.eventsOpened} new drift events, {current.eventsUpdated} still drifting, {current.eventsResolved} resolved, in {duration(current)}.
              </p>
            )}
            {!finished && <p className="muted">Working… this page updates by itself.</p>}
          </div>
        )}
      </section>
      {list.isError && (
        <p role="alert" className="error">
          {list.error.message}
        </p>
      )}
      {!data ? (
        <div className="skeleton" style={{ height: 200 }} aria-busy="true" aria-label="Loading runs" />
      ) : data.items.length === 0 ? (
        <div className="empty" role="status">
          No runs yet.{role !== "VIEWER" ? " Start the first one with Run now." : ""}
        </div>
      ) : (
        <>
          <div className="table-wrap" role="region" aria-label="Detection runs table" tabIndex={0}>
            <table>
              <caption className="sr-only">Detection runs, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Queued</th>
                  <th scope="col">Trigger</th>
                  <th scope="col">Status</th>
                  <th scope="col" className="num">
                    Cells tested
                  </th>
                  <th scope="col" className="num">
                    Opened
                  </th>
                  <th scope="col" className="num">
                    Updated
                  </th>
                  <th scope="col" className="num">
                    Resolved
                  </th>
                  <th scope="col" className="num">
                    Duration
                  </th>
                </tr>
              </thead>
              <tbody>
                {data.items.map((run) => (
                  <tr key={run.id}>
                    <td>{formatDateTime(run.queuedAt)}</td>
                    <td>{run.trigger.toLowerCase()}</td>
                    <td>
                      <span className={`badge ${run.status === "SUCCEEDED" ? "good" : run.status === "FAILED" ? "critical" : "active"}`}>
                        {run.status.toLowerCase()}
                      </span>
                      {run.error ? (
                        <div className="error" style={{ fontSize: 13 }}>
                          {run.error}
                        </div>
                      ) : null}
                    </td>
                    <td className="num">{formatCount(run.cellsTested)}</td>
                    <td className="num">{run.eventsOpened}</td>
                    <td className="num">{run.eventsUpdated}</td>
                    <td className="num">{run.eventsResolved}</td>
                    <td className="num">{duration(run)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <nav className="pager" aria-label="Pages">
            <button type="button" className="secondary" disabled={page <= 1} onClick={() => setPage(page - 1)}>
              Newer
            </button>
            <span>
              Page {page} of {data.totalPages || 1}
            </span>
            <button type="button" className="secondary" disabled={page >= (data.totalPages ?? 1)} onClick={() => setPage(page + 1)}>
              Older
            </button>
          </nav>
        </>
      )}
    </div>
  );
}
