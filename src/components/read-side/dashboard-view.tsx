"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useTRPC } from "@/trpc/react";
import { DenialTrendChart, TopPayersChart } from "./charts";
import { cptGroupLabel, DRIFT_TYPE_LABEL, formatCount, formatDateTime, formatMoney, formatPercent, severityLabel, timeAgo } from "./format";
import type { TDashboardData } from "./types";
import "./read-side.css";

/** The home page: what changed, where, how much money, what next. */
export function DashboardView({ initial, customerName }: { initial?: TDashboardData; customerName: string }) {
  const trpc = useTRPC();
  const query = useQuery(trpc.dashboard.get.queryOptions(undefined, { initialData: initial, refetchInterval: 60_000 }));
  const data = query.data;

  return (
    <div className="read-side">
      <div className="page-head">
        <h1>{customerName}</h1>
        <p className="muted" aria-live="polite">
          {data ? `Figures as of ${formatDateTime(data.computedAt)}` : "Loading figures…"}
        </p>
      </div>
      {query.isError && (
        <p role="alert" className="error">
          The dashboard could not be loaded: {query.error.message}
        </p>
      )}
      {!data ? <DashboardSkeleton /> : <DashboardBody data={data} />}
    </div>
  );
}

function DashboardSkeleton() {
  return (
    <div aria-busy="true" aria-label="Loading the dashboard">
      <ul className="cards">
        {Array.from({ length: 6 }, (_, i) => (
          <li key={i} className="card">
            <div className="skeleton" style={{ height: 52 }} />
          </li>
        ))}
      </ul>
      <div className="panels">
        <div className="panel">
          <div className="skeleton" style={{ height: 240 }} />
        </div>
        <div className="panel">
          <div className="skeleton" style={{ height: 240 }} />
        </div>
      </div>
    </div>
  );
}

function DashboardBody({ data }: { data: TDashboardData }) {
  const { totals, lastRun } = data;
  const hasClaims = totals.claimLines > 0;
  const latest = [...data.denialRateTrend].reverse().find((m) => m.denialRate !== null);
  return (
    <>
      <ul className="cards" aria-label="Key figures">
        <li className={`card${Number(totals.revenueAtRisk) > 0 ? " warn" : ""}`}>
          <p className="label">Revenue at risk</p>
          <p className="value">{formatMoney(totals.revenueAtRisk)}</p>
          <p className="hint">per month, from active drifts</p>
        </li>
        {totals.recoveredThisMonth !== undefined && (
          <li className="card">
            <p className="label">Recovered this month</p>
            <p className="value">
              <Link href="/underpayments?status=RECOVERED">{formatMoney(totals.recoveredThisMonth)}</Link>
            </p>
            <p className="hint">underpayments paid after correction</p>
          </li>
        )}
        <li className="card">
          <p className="label">Active drift events</p>
          <p className="value">
            <Link href="/drift-events?status=ACTIVE">{formatCount(totals.activeDriftEvents)}</Link>
          </p>
          <p className="hint">payer behaviour changes now</p>
        </li>
        <li className="card">
          <p className="label">Pending alerts</p>
          <p className="value">{formatCount(totals.pendingAlerts)}</p>
          <p className="hint">not yet acknowledged</p>
        </li>
        <li className="card">
          <p className="label">Denial rate this month</p>
          <p className="value">{formatPercent(latest?.denialRate ?? null)}</p>
          <p className="hint">{latest ? `${formatCount(latest.decidedLines)} decided lines` : "no decisions yet"}</p>
        </li>
        <li className="card">
          <p className="label">Claim lines</p>
          <p className="value">{formatCount(totals.claimLines)}</p>
          <p className="hint">from {formatCount(totals.uploads)} uploads</p>
        </li>
        <li className="card">
          <p className="label">Last detection run</p>
          <p className="value" style={{ fontSize: 18 }}>
            <Link href="/runs">{lastRun ? lastRun.status.toLowerCase() : "none yet"}</Link>
          </p>
          <p className="hint">
            {lastRun
              ? `${timeAgo(lastRun.finishedAt ?? lastRun.queuedAt)} · ${lastRun.eventsOpened} opened, ${lastRun.eventsResolved} resolved`
              : "runs daily, or start one on Runs"}
          </p>
        </li>
      </ul>

      {!hasClaims && (
        <div className="empty" role="status">
          <p>
            <strong>No claims yet.</strong> Upload a CSV or X12 835 file, or send claims through the API; the dashboard fills in after the first detection run.
          </p>
        </div>
      )}

      <div className="panels">
        <section className="panel" aria-labelledby="trend-title">
          <h2 id="trend-title">Denial rate, last 6 months</h2>
          {hasClaims ? <DenialTrendChart points={data.denialRateTrend} /> : <p className="muted">No decided claims in the last 6 months.</p>}
        </section>
        <section className="panel" aria-labelledby="payers-title">
          <h2 id="payers-title">Top drifting payers</h2>
          {data.topDriftingPayers.length > 0 ? (
            <TopPayersChart
              payers={data.topDriftingPayers.map((p) => ({ name: p.payer.name, revenueAtRisk: p.revenueAtRisk, activeEvents: p.activeEvents }))}
            />
          ) : (
            <p className="muted">No payer is drifting right now.{lastRun ? "" : " Run a detection to find out."}</p>
          )}
        </section>
      </div>

      <div className="panels">
        <section className="panel" aria-labelledby="drifting-title">
          <h2 id="drifting-title">Where it changed</h2>
          {data.topDriftingPayers.length === 0 ? (
            <p className="muted">Nothing to act on.</p>
          ) : (
            <ul className="list-plain">
              {data.topDriftingPayers.map((p) => (
                <li key={p.payer.id}>
                  <Link href={`/drift-events?status=ACTIVE&payerId=${p.payer.id}`}>
                    <strong>{p.payer.name}</strong>
                  </Link>{" "}
                  <span className={`badge ${severityLabel(p.maxSeverity).toLowerCase()}`}>{severityLabel(p.maxSeverity)}</span>
                  <div className="muted">
                    {p.activeEvents} active · {p.driftTypes.map((t) => DRIFT_TYPE_LABEL[t]).join(", ")} · {formatMoney(p.revenueAtRisk)} a month
                  </div>
                </li>
              ))}
            </ul>
          )}
        </section>
        <section className="panel" aria-labelledby="alerts-title">
          <h2 id="alerts-title">Recent alerts</h2>
          {data.recentAlerts.length === 0 ? (
            <p className="muted">No alerts yet. Alert rules turn drift events into alerts.</p>
          ) : (
            <ul className="list-plain">
              {data.recentAlerts.map((a) => (
                <li key={a.id}>
                  <Link href={`/drift-events/${a.driftEvent.id}`}>
                    {a.driftEvent.payer.name}: {DRIFT_TYPE_LABEL[a.driftEvent.driftType]} ({cptGroupLabel(a.driftEvent.cptGroup)})
                  </Link>
                  <div className="muted">
                    {a.rule.name} · <span className="badge neutral">{a.suppressed ? "suppressed" : a.status.toLowerCase()}</span> · {timeAgo(a.createdAt)}
                  </div>
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
    </>
  );
}
