"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/trpc/react";
import "./alerts.css";

const STATUSES = ["PENDING", "DELIVERED", "FAILED", "DEAD"] as const;

/** ADMIN: the delivery log with status filter, each delivery's attempts, and replay. */
export function WebhookDeliveryLog() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<(typeof STATUSES)[number] | "">("");
  const [cursors, setCursors] = useState<string[]>([]);
  const [openId, setOpenId] = useState<string | null>(null);
  const log = useQuery({
    ...trpc.webhookDeliveries.list.queryOptions({ limit: 25, status: status || undefined, cursor: cursors.at(-1) }),
    refetchInterval: 5000,
  });
  const detail = useQuery({
    ...trpc.webhookDeliveries.get.queryOptions({ id: openId ?? "00000000-0000-0000-0000-000000000000" }),
    enabled: openId !== null,
    refetchInterval: 5000,
  });
  const replay = useMutation(
    trpc.webhookDeliveries.replay.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.webhookDeliveries.pathKey() }) }),
  );

  return (
    <div className="stack">
      <div className="toolbar">
        <label>
          Status
          <select
            value={status}
            onChange={(e) => {
              setStatus(e.target.value as typeof status);
              setCursors([]);
            }}
          >
            <option value="">All</option>
            {STATUSES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
      </div>
      {replay.error && (
        <p role="alert" className="error">
          {replay.error.message}
        </p>
      )}
      <table>
        <thead>
          <tr>
            <th>Created</th>
            <th>Event</th>
            <th>webhook-id</th>
            <th>Status</th>
            <th>Attempts</th>
            <th>Next attempt</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {log.data?.items.map((d) => (
            <tr key={d.id} className={openId === d.id ? "selected" : undefined}>
              <td>{d.createdAt.toLocaleString()}</td>
              <td>{d.eventType}</td>
              <td>
                <code>{d.messageId}</code>
              </td>
              <td>
                <span className={`pill ${d.status}`}>{d.status}</span>
              </td>
              <td>{d.attemptCount}</td>
              <td>{d.nextAttemptAt && d.status === "PENDING" ? d.nextAttemptAt.toLocaleTimeString() : "—"}</td>
              <td className="row">
                <button type="button" className="link-button" onClick={() => setOpenId(openId === d.id ? null : d.id)}>
                  {openId === d.id ? "Hide" : "Attempts"}
                </button>
                {(d.status === "DEAD" || d.status === "FAILED") && (
                  <button type="button" className="link-button" onClick={() => replay.mutate({ id: d.id })}>
                    Replay
                  </button>
                )}
              </td>
            </tr>
          ))}
          {log.data?.items.length === 0 && (
            <tr>
              <td colSpan={7} className="muted">
                No deliveries.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <div className="row">
        <button type="button" disabled={cursors.length === 0} onClick={() => setCursors(cursors.slice(0, -1))}>
          Newer
        </button>
        <button type="button" disabled={!log.data?.nextCursor} onClick={() => log.data?.nextCursor && setCursors([...cursors, log.data.nextCursor])}>
          Older
        </button>
      </div>
      {openId && detail.data && (
        <section aria-label="Delivery attempts">
          <h3>Attempts of {detail.data.messageId}</h3>
          <table>
            <thead>
              <tr>
                <th>#</th>
                <th>Started</th>
                <th>Duration</th>
                <th>Status code</th>
                <th>Error</th>
                <th>Response (first 1 KB)</th>
              </tr>
            </thead>
            <tbody>
              {detail.data.attempts.map((a) => (
                <tr key={a.attemptNumber}>
                  <td>{a.attemptNumber}</td>
                  <td>{a.startedAt.toLocaleString()}</td>
                  <td>{a.durationMs} ms</td>
                  <td>{a.statusCode ?? "—"}</td>
                  <td>{a.errorKind ?? "—"}</td>
                  <td>
                    <pre className="excerpt">{a.responseExcerpt ?? ""}</pre>
                  </td>
                </tr>
              ))}
              {detail.data.attempts.length === 0 && (
                <tr>
                  <td colSpan={6} className="muted">
                    Not attempted yet.
                  </td>
                </tr>
              )}
            </tbody>
          </table>
        </section>
      )}
    </div>
  );
}
