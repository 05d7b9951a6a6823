"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/trpc/react";
import { FeedbackDialog, type TExistingFeedback } from "./feedback-dialog";
import "./alerts.css";

const PAGE_SIZE = 25;

/**
 * The alerts page: active or all alerts, paged. ANALYST and ADMIN acknowledge, resolve, give
 * feedback and select alerts for bulk acknowledge; VIEWER reads only (`canAct` false — the API
 * enforces it either way).
 */
export function AlertsBoard({ canAct, userEmail }: { canAct: boolean; userEmail: string | null }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [view, setView] = useState<"active" | "all">("active");
  const [page, setPage] = useState(1);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [feedbackFor, setFeedbackFor] = useState<{ id: string; existing: TExistingFeedback | null } | null>(null);
  const input = { page, pageSize: PAGE_SIZE };
  const active = useQuery({ ...trpc.alerts.active.queryOptions(input), enabled: view === "active" });
  const all = useQuery({ ...trpc.alerts.list.queryOptions(input), enabled: view === "all" });
  const data = view === "active" ? active.data : all.data;
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.alerts.pathKey() });
  const acknowledge = useMutation(trpc.alerts.acknowledge.mutationOptions({ onSuccess: refresh }));
  const resolve = useMutation(trpc.alerts.resolve.mutationOptions({ onSuccess: refresh }));
  const bulk = useMutation(
    trpc.alerts.bulkAcknowledge.mutationOptions({
      onSuccess: () => {
        setSelected(new Set());
        return refresh();
      },
    }),
  );
  const error = acknowledge.error ?? resolve.error ?? bulk.error;
  const items = data?.items ?? [];
  const toggle = (id: string) =>
    setSelected((current) => {
      const next = new Set(current);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const open = (status: string) => status === "PENDING" || status === "SENT" || status === "FAILED";

  return (
    <div className="stack">
      <div className="toolbar">
        <div role="tablist" className="row">
          {(["active", "all"] as const).map((v) => (
            <button
              key={v}
              role="tab"
              aria-selected={view === v}
              className={view === v ? undefined : "link-button"}
              onClick={() => {
                setView(v);
                setPage(1);
                setSelected(new Set());
              }}
            >
              {v === "active" ? "Active" : "All alerts"}
            </button>
          ))}
        </div>
        <span className="spacer" />
        {canAct && (
          <button type="button" disabled={selected.size === 0 || bulk.isPending} onClick={() => bulk.mutate({ ids: [...selected] })}>
            Acknowledge selected ({selected.size})
          </button>
        )}
      </div>
      {error && (
        <p role="alert" className="error">
          {error.message}
        </p>
      )}
      {bulk.data && (
        <p role="status">
          Acknowledged {bulk.data.acknowledged.length}; skipped {bulk.data.skipped.length}.
        </p>
      )}
      <table>
        <thead>
          <tr>
            {canAct && (
              <th>
                <input
                  type="checkbox"
                  aria-label="Select all on this page"
                  checked={items.length > 0 && items.every((a) => selected.has(a.id))}
                  onChange={(e) => setSelected(e.target.checked ? new Set(items.filter((a) => open(a.status)).map((a) => a.id)) : new Set())}
                />
              </th>
            )}
            <th>Raised</th>
            <th>Rule</th>
            <th>Payer</th>
            <th>CPT group</th>
            <th>Drift</th>
            <th>Change</th>
            <th>Revenue / month</th>
            <th>Status</th>
            <th>Feedback</th>
            {canAct && <th />}
          </tr>
        </thead>
        <tbody>
          {items.map((alert) => {
            const mine = alert.feedback.find((f) => f.user.email === userEmail) ?? null;
            return (
              <tr key={alert.id} className={selected.has(alert.id) ? "selected" : undefined}>
                {canAct && (
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`Select alert ${alert.id}`}
                      disabled={!open(alert.status)}
                      checked={selected.has(alert.id)}
                      onChange={() => toggle(alert.id)}
                    />
                  </td>
                )}
                <td>{alert.createdAt.toLocaleString()}</td>
                <td>{alert.rule.name}</td>
                <td>{alert.driftEvent.payer.name}</td>
                <td>{alert.driftEvent.cptGroup}</td>
                <td>
                  <a href={`/drift-events/${alert.driftEvent.id}`}>{alert.driftEvent.driftType}</a>
                </td>
                <td>
                  {alert.driftEvent.delta >= 0 ? "+" : ""}
                  {alert.driftEvent.delta.toFixed(3)} (sev {alert.driftEvent.severity.toFixed(2)})
                </td>
                <td>${alert.driftEvent.estimatedRevenueImpact}</td>
                <td>
                  <span className={`pill ${alert.status}`}>{alert.status}</span>
                  {alert.suppressed && (
                    <span className="pill suppressed" title={alert.suppressionReason ?? ""}>
                      {" "}
                      suppressed
                    </span>
                  )}
                </td>
                <td>{alert.feedback.map((f) => f.verdict).join(", ") || <span className="muted">none</span>}</td>
                {canAct && (
                  <td className="row">
                    {open(alert.status) && (
                      <button type="button" className="link-button" onClick={() => acknowledge.mutate({ id: alert.id })}>
                        Acknowledge
                      </button>
                    )}
                    {alert.status !== "RESOLVED" && (
                      <button type="button" className="link-button" onClick={() => resolve.mutate({ id: alert.id })}>
                        Resolve
                      </button>
                    )}
                    <button type="button" className="link-button" onClick={() => setFeedbackFor({ id: alert.id, existing: mine })}>
                      {mine ? "Edit feedback" : "Feedback"}
                    </button>
                  </td>
                )}
              </tr>
            );
          })}
          {items.length === 0 && (
            <tr>
              <td colSpan={11} className="muted">
                {view === "active" ? "No active alerts." : "No alerts yet."}
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <div className="row">
        <button type="button" disabled={page <= 1} onClick={() => setPage(page - 1)}>
          Previous
        </button>
        <span className="muted">
          Page {page} of {Math.max(1, data?.totalPages ?? 1)} · {data?.total ?? 0} alerts
        </span>
        <button type="button" disabled={page >= (data?.totalPages ?? 1)} onClick={() => setPage(page + 1)}>
          Next
        </button>
      </div>
      {feedbackFor && <FeedbackDialog alertId={feedbackFor.id} existing={feedbackFor.existing} onClose={() => setFeedbackFor(null)} />}
    </div>
  );
}
