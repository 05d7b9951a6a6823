"use client";

import { useEffect, useState, type ReactNode } from "react";
import { Bar, BarChart, CartesianGrid, Cell, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { formatMonth, formatMoney, formatPercent } from "./format";

/**
 * Charts for the read-side pages (recharts). Each chart is a figure with a caption and an
 * equivalent data table for screen readers; the SVG itself is hidden from assistive tech.
 * Charts render after mount (they measure their box), with a placeholder of the same height.
 */

function useMounted(): boolean {
  const [mounted, setMounted] = useState(false);
  useEffect(() => setMounted(true), []);
  return mounted;
}

function ChartFrame({ label, table, height = 240, children }: { label: string; table: ReactNode; height?: number; children: ReactNode }) {
  const mounted = useMounted();
  return (
    <figure style={{ margin: 0 }} aria-label={label}>
      <div className="chart" style={{ height }} aria-hidden="true">
        {mounted ? children : <div className="skeleton" style={{ height }} />}
      </div>
      <figcaption className="sr-only">{table}</figcaption>
    </figure>
  );
}

export function DenialTrendChart({ points }: { points: { month: string; denialRate: number | null; decidedLines: number }[] }) {
  const data = points.map((p) => ({
    month: formatMonth(p.month),
    rate: p.denialRate === null ? null : Number((p.denialRate * 100).toFixed(2)),
    lines: p.decidedLines,
  }));
  const table = (
    <table>
      <caption>Denial rate by month</caption>
      <thead>
        <tr>
          <th scope="col">Month</th>
          <th scope="col">Denial rate</th>
          <th scope="col">Decided lines</th>
        </tr>
      </thead>
      <tbody>
        {points.map((p) => (
          <tr key={p.month}>
            <td>{formatMonth(p.month)}</td>
            <td>{formatPercent(p.denialRate)}</td>
            <td>{p.decidedLines}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
  return (
    <ChartFrame label="Line chart: denial rate by month, last 6 months" table={table}>
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={data} margin={{ top: 8, right: 16, bottom: 0, left: 0 }} accessibilityLayer={false}>
          <CartesianGrid stroke="#e5e9ef" vertical={false} />
          <XAxis dataKey="month" tick={{ fill: "#3d4756", fontSize: 12 }} />
          <YAxis unit=" %" tick={{ fill: "#3d4756", fontSize: 12 }} width={52} domain={[0, "auto"]} />
          <Tooltip formatter={(value) => [`${String(value)} %`, "Denial rate"]} />
          <Line type="monotone" dataKey="rate" name="Denial rate" stroke="#1f4fd1" strokeWidth={2.5} dot={{ r: 4 }} connectNulls isAnimationActive={false} />
        </LineChart>
      </ResponsiveContainer>
    </ChartFrame>
  );
}

export function TopPayersChart({ payers }: { payers: { name: string; revenueAtRisk: string; activeEvents: number }[] }) {
  const data = payers.map((p) => ({ name: p.name, revenue: Number(p.revenueAtRisk), events: p.activeEvents }));
  const table = (
    <table>
      <caption>Top drifting payers by revenue at risk</caption>
      <thead>
        <tr>
          <th scope="col">Payer</th>
          <th scope="col">Revenue at risk per month</th>
          <th scope="col">Active events</th>
        </tr>
      </thead>
      <tbody>
        {payers.map((p) => (
          <tr key={p.name}>
            <td>{p.name}</td>
            <td>{formatMoney(p.revenueAtRisk)}</td>
            <td>{p.activeEvents}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
  return (
    <ChartFrame label="Bar chart: top drifting payers by estimated revenue at risk per month" table={table}>
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={data} layout="vertical" margin={{ top: 4, right: 24, bottom: 0, left: 8 }} accessibilityLayer={false}>
          <CartesianGrid stroke="#e5e9ef" horizontal={false} />
          <XAxis type="number" tickFormatter={(v: number) => formatMoney(v)} tick={{ fill: "#3d4756", fontSize: 12 }} />
          <YAxis type="category" dataKey="name" width={130} tick={{ fill: "#3d4756", fontSize: 12 }} />
          <Tooltip formatter={(value) => [formatMoney(Number(value)), "At risk per month"]} />
          <Bar dataKey="revenue" name="Revenue at risk per month" fill="#b4501e" isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </ChartFrame>
  );
}

const UNIT_FORMAT: Record<"rate" | "ratio" | "days", (value: number) => string> = {
  rate: (v) => formatPercent(v),
  ratio: (v) => formatPercent(v, 0),
  days: (v) => `${Number(v.toFixed(1))} days`,
};

/** Props are plain data (this is rendered from server components): `unit` picks the format. */
export function BaselineCurrentChart({
  metric,
  baseline,
  current,
  unit,
}: {
  metric: string;
  baseline: number;
  current: number;
  unit: "rate" | "ratio" | "days";
}) {
  const format = UNIT_FORMAT[unit];
  const data = [
    { window: "Baseline", value: baseline },
    { window: "Current", value: current },
  ];
  const table = (
    <table>
      <caption>{metric}: baseline vs current</caption>
      <tbody>
        <tr>
          <th scope="row">Baseline</th>
          <td>{format(baseline)}</td>
        </tr>
        <tr>
          <th scope="row">Current</th>
          <td>{format(current)}</td>
        </tr>
      </tbody>
    </table>
  );
  return (
    <ChartFrame label={`Bar chart: ${metric}, baseline ${format(baseline)} vs current ${format(current)}`} table={table} height={220}>
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={data} margin={{ top: 20, right: 16, bottom: 0, left: 0 }} accessibilityLayer={false}>
          <CartesianGrid stroke="#e5e9ef" vertical={false} />
          <XAxis dataKey="window" tick={{ fill: "#3d4756", fontSize: 13 }} />
          <YAxis tickFormatter={(v: number) => format(v)} tick={{ fill: "#3d4756", fontSize: 12 }} width={72} domain={[0, "auto"]} />
          <Tooltip formatter={(value) => [format(Number(value)), metric]} />
          <Bar
            dataKey="value"
            name={metric}
            isAnimationActive={false}
            label={{ position: "top", formatter: (v: unknown) => format(Number(v)), fill: "#1b2430" }}
          >
            <Cell fill="#64748b" />
            <Cell fill="#b42318" />
          </Bar>
        </BarChart>
      </ResponsiveContainer>
    </ChartFrame>
  );
}

/** A tiny inline SVG sparkline (no library): the denial rate per slice of the period. */
export function Sparkline({ values, label, width = 96, height = 24 }: { values: (number | null)[]; label: string; width?: number; height?: number }) {
  const known = values.filter((v): v is number => v !== null);
  if (known.length < 2)
    return (
      <span className="muted" aria-label={`${label}: not enough data`}>
        —
      </span>
    );
  const max = Math.max(...known, 0.0001);
  const step = width / Math.max(values.length - 1, 1);
  const points = values
    .map((v, i) => (v === null ? null : `${(i * step).toFixed(1)},${(height - 2 - (v / max) * (height - 4)).toFixed(1)}`))
    .filter(Boolean)
    .join(" ");
  return (
    <svg width={width} height={height} role="img" aria-label={label} viewBox={`0 0 ${width} ${height}`}>
      <polyline points={points} fill="none" stroke="#1f4fd1" strokeWidth="1.8" />
    </svg>
  );
}
