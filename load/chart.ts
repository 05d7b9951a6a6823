/**
 * Latency against connections, as a PNG for BENCHMARKS.md:
 * `tsx load/chart.ts OUT.png load-10.json load-25.json …` (files written by `npm run load -- --json`).
 * Draws an SVG by hand (p50, p95, p99 per connection count, the 300 ms threshold) and turns it
 * into a PNG with Debian's Chromium through playwright-core (TOOLCHAIN.md: no browser download).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { chromium } from "playwright-core";
import { CHROMIUM_ARGS, chromiumExecutable } from "../e2e/support/browser";

interface TLoadReport {
  connections: number;
  overall: { p50: number; p95: number; p99: number; requestsPerSecond: number; errors: number };
  thresholds: { p95Ms: number };
}

const [out, ...files] = process.argv.slice(2);
if (!out || files.length === 0) throw new Error("usage: tsx load/chart.ts OUT.png load-N.json…");
const runs = files.map((file) => JSON.parse(readFileSync(file, "utf8")) as TLoadReport).sort((a, b) => a.connections - b.connections);

const W = 900;
const H = 520;
const M = { left: 80, right: 190, top: 60, bottom: 70 };
const plotW = W - M.left - M.right;
const plotH = H - M.top - M.bottom;
const threshold = runs[0]!.thresholds.p95Ms;
const maxY = Math.max(threshold * 1.2, ...runs.map((r) => r.overall.p99)) * 1.08;
const xs = runs.map((r) => r.connections);
const logX = (c: number) => M.left + ((Math.log(c) - Math.log(xs[0]!)) / (Math.log(xs[xs.length - 1]!) - Math.log(xs[0]!) || 1)) * plotW;
const y = (ms: number) => M.top + plotH - (ms / maxY) * plotH;
const step = maxY > 2000 ? 500 : maxY > 800 ? 200 : 100;

const series: Array<{ key: "p50" | "p95" | "p99"; color: string; label: string }> = [
  { key: "p50", color: "#1b7837", label: "p50" },
  { key: "p95", color: "#2166ac", label: "p95" },
  { key: "p99", color: "#b2182b", label: "p99" },
];

let svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="DejaVu Sans, Arial, sans-serif" font-size="13">`;
svg += `<rect width="${W}" height="${H}" fill="#fff"/>`;
svg += `<text x="${M.left}" y="28" font-size="17" font-weight="bold">Driftline API latency against concurrent connections</text>`;
svg += `<text x="${M.left}" y="47" fill="#555">npm run load (Pareto tenants, realistic mix), npm start with the demo data, 2 cores</text>`;
for (let v = 0; v <= maxY; v += step) {
  svg += `<line x1="${M.left}" x2="${M.left + plotW}" y1="${y(v)}" y2="${y(v)}" stroke="#e5e5e5"/>`;
  svg += `<text x="${M.left - 8}" y="${y(v) + 4}" text-anchor="end" fill="#333">${v}</text>`;
}
for (const r of runs) {
  svg += `<line x1="${logX(r.connections)}" x2="${logX(r.connections)}" y1="${M.top}" y2="${M.top + plotH}" stroke="#f0f0f0"/>`;
  svg += `<text x="${logX(r.connections)}" y="${M.top + plotH + 20}" text-anchor="middle" fill="#333">${r.connections}</text>`;
  svg += `<text x="${logX(r.connections)}" y="${M.top + plotH + 36}" text-anchor="middle" fill="#777" font-size="11">${Math.round(r.overall.requestsPerSecond)} req/s${r.overall.errors ? `, ${r.overall.errors} err` : ""}</text>`;
}
svg += `<text x="${M.left + plotW / 2}" y="${H - 12}" text-anchor="middle">connections (log scale); requests per second below each</text>`;
svg += `<text transform="translate(22 ${M.top + plotH / 2}) rotate(-90)" text-anchor="middle">latency (ms)</text>`;
svg += `<line x1="${M.left}" x2="${M.left + plotW}" y1="${y(threshold)}" y2="${y(threshold)}" stroke="#000" stroke-dasharray="6 4"/>`;
svg += `<text x="${M.left + plotW + 8}" y="${y(threshold) + 4}">p95 goal ${threshold} ms</text>`;
series.forEach((s, i) => {
  const points = runs.map((r) => `${logX(r.connections)},${y(r.overall[s.key])}`).join(" ");
  svg += `<polyline points="${points}" fill="none" stroke="${s.color}" stroke-width="2.5"/>`;
  for (const r of runs) svg += `<circle cx="${logX(r.connections)}" cy="${y(r.overall[s.key])}" r="4" fill="${s.color}"/>`;
  svg += `<line x1="${M.left + plotW + 10}" x2="${M.left + plotW + 34}" y1="${M.top + 20 + i * 22}" y2="${M.top + 20 + i * 22}" stroke="${s.color}" stroke-width="3"/>`;
  svg += `<text x="${M.left + plotW + 40}" y="${M.top + 24 + i * 22}">${s.label}</text>`;
});
svg += `<line x1="${M.left}" x2="${M.left}" y1="${M.top}" y2="${M.top + plotH}" stroke="#333"/>`;
svg += `<line x1="${M.left}" x2="${M.left + plotW}" y1="${M.top + plotH}" y2="${M.top + plotH}" stroke="#333"/>`;
svg += "</svg>";

writeFileSync(out.replace(/\.png$/, ".svg"), svg);
const browser = await chromium.launch({ executablePath: await chromiumExecutable(), args: CHROMIUM_ARGS });
try {
  const page = await browser.newPage({ viewport: { width: W, height: H }, deviceScaleFactor: 2 });
  await page.setContent(`<html><body style="margin:0">${svg}</body></html>`);
  await page.screenshot({ path: out, clip: { x: 0, y: 0, width: W, height: H } });
} finally {
  await browser.close();
}
console.log(`wrote ${out}`);
