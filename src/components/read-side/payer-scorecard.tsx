"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useTRPC } from "@/trpc/react";
import { Sparkline } from "./charts";
import { ExportButton } from "./export-button";
import { formatCount, formatDay, formatDays, formatMoney, formatPercent, formatPoints } from "./format";
import type { TPayerSummaryData, TPayerSummaryRowData, TRole } from "./types";
import "./read-side.css";

const COLUMNS: { field: string; label: string; numeric?: boolean }[] = [
  { field: "payer", label: "Payer" },
  { field: "totalLines", label: "Lines", numeric: true },
  { field: "deniedCount", label: "Denied", numeric: true },
  { field: "denialRate", label: "Denial rate", numeric: true },
  { field: "denialRateChange", label: "Change vs previous", numeric: true },
  { field: "avgAllowedAmount", label: "Avg allowed", numeric: true },
  { field: "medianDaysToDecision", label: "Median days to decision", numeric: true },
];

const PRESETS = [30, 90, 180, 365];

function daysAgo(days: number): string {
  return new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);
}

/** The payer scorecard: period selector, sortable columns, sparklines, CSV export. State lives in the URL. */
export function PayerScorecard({ initial, role }: { initial?: TPayerSummaryData; role: TRole }) {
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const search = useSearchParams();
  const from = search.get("from") ?? undefined;
  const to = search.get("to") ?? undefined;
  const ordering = search.get("ordering") ?? "-totalLines";
  const input = { from, to, ordering };
  const isInitial = !from && !to && ordering === "-totalLines";
  const query = useQuery(trpc.claims.payerSummary.queryOptions(input, { initialData: isInitial ? initial : undefined, placeholderData: keepPreviousData }));
  const data = query.data;

  function update(next: Record<string, string | undefined>) {
    const params = new URLSearchParams(search.toString());
    for (const [key, value] of Object.entries(next)) {
      if (value) params.set(key, value);
      else params.delete(key);
    }
    router.replace(`${pathname}?${params.toString()}`, { scroll: false });
  }

  function sortBy(field: string) {
    const current = ordering.replace(/^-/, "");
    const descending = ordering.startsWith("-");
    update({ ordering: current === field ? (descending ? field : `-${field}`) : field === "payer" ? field : `-${field}` });
  }

  function ariaSort(field: string): "ascending" | "descending" | "none" {
    if (ordering.replace(/^-/, "") !== field) return "none";
    return ordering.startsWith("-") ? "descending" : "ascending";
  }

  return (
    <div className="read-side">
      <div className="page-head">
        <h1>Payer scorecard</h1>
        {role !== "VIEWER" && <ExportButton kind="PAYER_SCORECARD" params={{ from: data?.from, to: data?.to, ordering }} />}
      </div>
      <form
        className="filters"
        aria-label="Period"
        onSubmit={(event) => {
          event.preventDefault();
          const form = new FormData(event.currentTarget);
          update({ from: String(form.get("from") || "") || undefined, to: String(form.get("to") || "") || undefined });
        }}
      >
        <label>
          From
          <input type="date" name="from" defaultValue={data?.from ?? from} key={`from-${data?.from}`} />
        </label>
        <label>
          To
          <input type="date" name="to" defaultValue={data?.to ?? to} key={`to-${data?.to}`} />
        </label>
        <button type="submit">Apply</button>
        <div className="toolbar" role="group" aria-label="Quick periods">
          {PRESETS.map((days) => (
            <button key={days} type="button" className="secondary" onClick={() => update({ from: daysAgo(days - 1), to: daysAgo(0) })}>
              Last {days} days
            </button>
          ))}
        </div>
      </form>
      {query.isError && (
        <p role="alert" className="error">
          {query.error.message}
        </p>
      )}
      {data && (
        <p className="muted">
          {formatDay(data.from)} – {formatDay(data.to)}, compared with {formatDay(data.previousFrom)} – {formatDay(data.previousTo)}. All payers:{" "}
          {formatCount(data.totals.totalLines)} lines, denial rate {formatPercent(data.totals.denialRate)}.
        </p>
      )}
      {!data ? (
        <div className="skeleton" style={{ height: 240 }} aria-busy="true" aria-label="Loading the scorecard" />
      ) : data.items.length === 0 ? (
        <div className="empty" role="status">
          No claim lines were decided in this period. Pick a longer period or upload claims.
        </div>
      ) : (
        <div className="table-wrap" role="region" aria-label="Payer scorecard table" tabIndex={0} aria-busy={query.isFetching}>
          <table>
            <caption className="sr-only">Payer scorecard, sortable by column</caption>
            <thead>
              <tr>
                {COLUMNS.map((column) => (
                  <th key={column.field} scope="col" aria-sort={ariaSort(column.field)} className={column.numeric ? "num" : undefined}>
                    <button type="button" className="sort" onClick={() => sortBy(column.field)}>
                      {column.label}
                      <span aria-hidden="true">{ariaSort(column.field) === "ascending" ? " ▲" : ariaSort(column.field) === "descending" ? " ▼" : ""}</span>
                    </button>
                  </th>
                ))}
                <th scope="col" className="num">
                  Recouped
                </th>
                <th scope="col" className="num">
                  Interest paid
                </th>
                <th scope="col">Trend</th>
              </tr>
            </thead>
            <tbody>
              {data.items.map((row) => (
                <ScorecardRow key={row.payer.id} row={row} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {data?.truncated && <p className="muted">Showing the first {data.items.length} payers.</p>}
      {data && <AdjustmentsByMonth data={data} />}
    </div>
  );
}

function formatMonth(month: string): string {
  return new Date(`${month}-01T00:00:00Z`).toLocaleDateString("en-US", { month: "long", year: "numeric", timeZone: "UTC" });
}

/** Takebacks and interest from the payers' remittances (835 PLB), per payer and month of the period. */
function AdjustmentsByMonth({ data }: { data: TPayerSummaryData }) {
  const totals = data.adjustmentTotals;
  return (
    <section aria-labelledby="adjustments-heading">
      <h2 id="adjustments-heading">Recoupments and interest by month</h2>
      <p className="muted">
        Money payers took back (overpayment recoveries, refunds, forwarded balances) and interest they paid, from the provider-level adjustments of their 835
        remittances, by payment date. In this period: {formatMoney(totals.recoupmentAmount, true)} recouped, {formatMoney(totals.interestAmount, true)} interest
        paid.
      </p>
      {data.adjustmentsByMonth.length === 0 ? (
        <p className="muted">No recoupments or interest in this period.</p>
      ) : (
        <div className="table-wrap" role="region" aria-label="Recoupments and interest by month" tabIndex={0}>
          <table>
            <thead>
              <tr>
                <th scope="col">Month</th>
                <th scope="col">Payer</th>
                <th scope="col" className="num">
                  Recouped
                </th>
                <th scope="col" className="num">
                  Interest paid
                </th>
              </tr>
            </thead>
            <tbody>
              {data.adjustmentsByMonth.map((row) => (
                <tr key={`${row.month}-${row.payer.id}`}>
                  <td>{formatMonth(row.month)}</td>
                  <th scope="row">{row.payer.name}</th>
                  <td className="num">{formatMoney(row.recoupmentAmount, true)}</td>
                  <td className="num">{formatMoney(row.interestAmount, true)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function ScorecardRow({ row }: { row: TPayerSummaryRowData }) {
  const change = row.denialRateChange;
  const trendClass = row.trend === "WORSE" ? "worse" : row.trend === "BETTER" ? "better" : undefined;
  return (
    <tr>
      <th scope="row">{row.payer.name}</th>
      <td className="num">{formatCount(row.totalLines)}</td>
      <td className="num">{formatCount(row.deniedCount)}</td>
      <td className="num">{formatPercent(row.denialRate)}</td>
      <td className={`num ${trendClass ?? ""}`}>
        {change === null ? "new" : formatPoints(change)}
        <span className="sr-only"> ({row.trend.toLowerCase()})</span>
      </td>
      <td className="num">{formatMoney(row.avgAllowedAmount, true)}</td>
      <td className="num">{formatDays(row.medianDaysToDecision)}</td>
      <td className="num">{formatMoney(row.recoupmentAmount, true)}</td>
      <td className="num">{formatMoney(row.interestAmount, true)}</td>
      <td>
        <Sparkline
          values={row.sparkline.map((s) => s.denialRate)}
          label={`Denial rate of ${row.payer.name} over the period: ${row.sparkline.map((s) => formatPercent(s.denialRate, 0)).join(", ")}`}
        />
      </td>
    </tr>
  );
}
