"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { formatMoney } from "@/components/read-side/format";
import { useTRPC } from "@/trpc/react";

const STATUSES = ["OPEN", "APPEALED", "RECOVERED", "WRITTEN_OFF"] as const;
type TStatus = (typeof STATUSES)[number];

export function UnderpaymentWorklist({ canChange }: { canChange: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<TStatus | "">("OPEN");
  const [cptCode, setCptCode] = useState("");
  const [page, setPage] = useState(1);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const filters = { page, pageSize: 50, ...(status ? { status } : {}), ...(/^[0-9A-Za-z]{5}$/.test(cptCode) ? { cptCode } : {}) };
  const list = useQuery(trpc.underpayments.list.queryOptions(filters));
  const summary = useQuery(trpc.underpayments.summary.queryOptions({}));
  const change = useMutation(
    trpc.underpayments.bulkChange.mutationOptions({
      onSuccess: async () => {
        setSelected(new Set());
        // A list first fetched while the change was in flight (a filter switched meanwhile) may
        // have read before the commit; invalidation alone would keep its answer (a first fetch
        // in flight is joined, not restarted), so cancel such fetches and fetch again.
        await queryClient.cancelQueries({ queryKey: trpc.underpayments.list.queryKey() });
        await Promise.all([
          queryClient.invalidateQueries({ queryKey: trpc.underpayments.list.queryKey() }),
          queryClient.invalidateQueries({ queryKey: trpc.underpayments.summary.queryKey() }),
        ]);
      },
    }),
  );
  const items = list.data?.items ?? [];
  const toggle = (id: string) =>
    setSelected((current) => {
      const next = new Set(current);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  return (
    <div className="stack">
      {summary.data && (
        <p aria-label="Underpayment totals">
          Recovered this month: <strong>{formatMoney(summary.data.recoveredThisMonth, true)}</strong> · recovered in total{" "}
          {formatMoney(summary.data.recoveredTotal, true)} ·{" "}
          {summary.data.byStatus
            .map((row) => `${row.status.replace("_", " ").toLowerCase()}: ${row.lines} lines, ${formatMoney(row.variance, true)}`)
            .join(" · ")}
        </p>
      )}
      <div>
        <label>
          Status{" "}
          <select
            value={status}
            onChange={(event) => {
              setStatus(event.target.value as TStatus | "");
              setPage(1);
            }}
          >
            <option value="">any</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>{" "}
        <label>
          Code{" "}
          <input
            value={cptCode}
            size={6}
            maxLength={5}
            onChange={(event) => {
              setCptCode(event.target.value.toUpperCase());
              setPage(1);
            }}
          />
        </label>{" "}
        {/* .muted a: the link colour that meets AA contrast on the page background. */}
        <span className="muted">
          <a href="/api/v1/underpayments/export.csv" download>
            Download CSV
          </a>
        </span>
      </div>
      {canChange && (
        <div role="group" aria-label="Change selected">
          {selected.size} selected:{" "}
          {(["APPEALED", "RECOVERED", "WRITTEN_OFF", "OPEN"] as const).map((next) => (
            <button
              key={next}
              type="button"
              disabled={selected.size === 0 || change.isPending}
              onClick={() => change.mutate({ ids: [...selected], status: next })}
            >
              Mark {next.replace("_", " ").toLowerCase()}
            </button>
          ))}
          {change.error && <span className="error"> {change.error.message}</span>}
        </div>
      )}
      <table aria-label="Underpaid claim lines">
        <thead>
          <tr>
            {canChange && (
              <th>
                <span className="visually-hidden">Select</span>
              </th>
            )}
            <th>Claim</th>
            <th>Payer</th>
            <th>Code</th>
            <th>Service date</th>
            <th>Expected</th>
            <th>Allowed</th>
            <th>Paid</th>
            <th>Variance</th>
            <th>Status</th>
            <th>Assignee</th>
            <th>Recovered</th>
          </tr>
        </thead>
        <tbody>
          {items.map((row) => (
            <tr key={row.id}>
              {canChange && (
                <td>
                  <input
                    type="checkbox"
                    aria-label={`Select ${row.submitterClaimId} line ${row.lineNumber}`}
                    checked={selected.has(row.id)}
                    onChange={() => toggle(row.id)}
                  />
                </td>
              )}
              <td>
                {row.submitterClaimId} / {row.lineNumber}
              </td>
              <td>{row.payer.name}</td>
              {/* The rate's modifier, as billers write it: 71046-26. */}
              <td>{row.rateModifier ? `${row.cptCode}-${row.rateModifier}` : row.cptCode}</td>
              <td>{row.serviceDate}</td>
              <td>{formatMoney(row.expectedAmount, true)}</td>
              <td>{formatMoney(row.allowedAmount, true)}</td>
              <td>{formatMoney(row.paidAmount, true)}</td>
              <td>{formatMoney(row.variance, true)}</td>
              <td>{row.status}</td>
              <td>{row.assignee?.name ?? row.assignee?.email ?? "—"}</td>
              <td>{row.recoveredAt ? `${formatMoney(row.recoveredAmount, true)} on ${row.recoveredAt}` : "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {list.data && items.length === 0 && <p className="muted">No underpaid lines match.</p>}
      {list.data && (list.data.totalPages ?? 0) > 1 && (
        <div>
          <button type="button" disabled={page <= 1} onClick={() => setPage(page - 1)}>
            Previous
          </button>{" "}
          Page {page} of {list.data.totalPages}{" "}
          <button type="button" disabled={page >= (list.data.totalPages ?? 1)} onClick={() => setPage(page + 1)}>
            Next
          </button>
        </div>
      )}
    </div>
  );
}
