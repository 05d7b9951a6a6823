import { Prisma } from "@/generated/prisma/client";
import { tenantReadDb } from "@/server/db/replica";
import { ZDashboardRun, type TDashboard } from "./dashboard-shape";
import { dashboardCache, type TClaimFigures } from "./dashboard-cache";

/**
 * The dashboard: a handful of SQL aggregates, each served by an index (EXPLAIN in
 * dashboard.test.ts): totals by index-only scans, the 6-month trend from the covering
 * claim_lines_customer_decided_idx, active events and top payers from the partial covering
 * drift_events_customer_active_payer_idx.
 *
 * Cached per customer under a *data version* read from the database on every call (the newest
 * upload, run and alert change), so an upload or run on any instance invalidates every
 * instance's copy at once; the short TTL only bounds how long an unchanged version is reused.
 * The claim-line figures (line count and trend: the two aggregates that cost anything on a large
 * tenant) are cached apart under the uploads' part of that version, so an acknowledged alert or
 * a finished run recomputes only the cheap rest. While a recomputation runs, other requests get
 * the last dashboard at once (dashboard-cache.ts: stale while computing, bounded).
 */

const TREND_MONTHS = 6;

type TTotalsRow = {
  uploads: number;
  active_events: number;
  revenue_at_risk: string;
  pending_alerts: number;
  recovered_this_month: string;
};
type TPayerRow = { payer_id: string; payer_name: string; events: number; revenue: string; max_severity: number; drift_types: string[] };
type TAlertRow = {
  id: string;
  status: TDashboard["recentAlerts"][number]["status"];
  suppressed: boolean;
  created_at: Date;
  rule_id: string;
  rule_name: string;
  drift_event_id: string;
  payer_id: string;
  payer_name: string;
  cpt_group: string;
  drift_type: TDashboard["recentAlerts"][number]["driftEvent"]["driftType"];
  severity: number;
  impact: string;
};

/** First day (UTC) of the month `monthsBack` months before `now`'s month. */
function monthStart(now: Date, monthsBack: number): string {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - monthsBack, 1)).toISOString().slice(0, 10);
}

/**
 * One cheap query whose answer changes whenever the dashboard's inputs do: `claims` moves with
 * the uploads (the only writer of claim lines), `all` with anything the dashboard shows.
 */
export async function readDashboardVersion(customerId: string): Promise<{ claims: string; all: string }> {
  const rows = await tenantReadDb(customerId).$queryRaw<{ claims: string; rest: string }[]>`
    SELECT
      (SELECT count(*) || ':' || coalesce(max(greatest(created_at, completed_at)), 'epoch')::text FROM uploads WHERE customer_id = ${customerId}::uuid) AS claims,
      concat_ws('|',
        (SELECT count(*) || ':' || coalesce(max(coalesce(finished_at, started_at, queued_at)), 'epoch')::text FROM detection_runs WHERE customer_id = ${customerId}::uuid),
        (SELECT count(*) || ':' || coalesce(max(updated_at), 'epoch')::text FROM drift_events WHERE customer_id = ${customerId}::uuid AND status = 'ACTIVE'),
        (SELECT count(*) || ':' || coalesce(max(updated_at), 'epoch')::text FROM alert_events WHERE customer_id = ${customerId}::uuid),
        (SELECT count(*) || ':' || coalesce(max(updated_at), 'epoch')::text FROM underpayments WHERE customer_id = ${customerId}::uuid),
        (SELECT count(*) FROM alert_feedback WHERE customer_id = ${customerId}::uuid)
      ) AS rest`;
  const claims = rows[0]?.claims ?? "";
  return { claims, all: `${claims}|${rows[0]?.rest ?? ""}` };
}

/** The claim-line figures: every line of the tenant counted, and the trend months' decisions. */
export async function computeClaimFigures(customerId: string, now = new Date()): Promise<TClaimFigures> {
  const id = Prisma.sql`${customerId}::uuid`;
  const rows = await tenantReadDb(customerId).$queryRaw<[{ claim_lines: number; trend: TClaimFigures["trend"] }]>`
    SELECT
      (SELECT count(*) FROM claim_lines WHERE customer_id = ${id})::int AS claim_lines,
      (SELECT coalesce(json_agg(t), '[]'::json) FROM (
        SELECT to_char(decided_at, 'YYYY-MM') AS month, count(*)::int AS decided,
               (count(*) FILTER (WHERE outcome = 'DENIED'))::int AS denied
        FROM claim_lines
        WHERE customer_id = ${id} AND decided_at >= ${monthStart(now, TREND_MONTHS - 1)}::date
        GROUP BY 1) t) AS trend`;
  return { claimLines: rows[0].claim_lines, trend: rows[0].trend };
}

/** The dashboard from the database; `claimFigures` lets the caller serve that part from its cache. */
export async function computeDashboard(
  customerId: string,
  now = new Date(),
  claimFigures: () => Promise<TClaimFigures> = () => computeClaimFigures(customerId, now),
): Promise<TDashboard> {
  const scoped = tenantReadDb(customerId);
  const id = Prisma.sql`${customerId}::uuid`;
  const months = Array.from({ length: TREND_MONTHS }, (_, i) => monthStart(now, TREND_MONTHS - 1 - i).slice(0, 7));

  const [totals, claims, payers, alerts, lastRun] = await Promise.all([
    scoped.$queryRaw<TTotalsRow[]>`
      SELECT
        (SELECT count(*) FROM uploads WHERE customer_id = ${id})::int AS uploads,
        a.active_events, a.revenue_at_risk,
        (SELECT count(*) FROM alert_events
          WHERE customer_id = ${id} AND status IN ('PENDING', 'SENT', 'FAILED') AND NOT suppressed)::int AS pending_alerts,
        ((SELECT coalesce(sum(recovered_amount), 0) FROM underpayments
           WHERE customer_id = ${id} AND recovered_at >= ${monthStart(now, 0)}::date)
         + (SELECT coalesce(sum(f.recovered_amount), 0) FROM alert_feedback f
              JOIN alert_events e ON e.customer_id = f.customer_id AND e.id = f.alert_event_id
              JOIN drift_events d ON d.customer_id = e.customer_id AND d.id = e.drift_event_id
            WHERE f.customer_id = ${id} AND f.recovered_on >= ${monthStart(now, 0)}::date AND d.drift_type <> 'UNDERPAYMENT')
        )::numeric(14, 2)::text AS recovered_this_month
      FROM (SELECT count(*)::int AS active_events, coalesce(sum(estimated_revenue_impact), 0)::numeric(14, 2)::text AS revenue_at_risk
            FROM drift_events WHERE customer_id = ${id} AND status = 'ACTIVE') a`,
    claimFigures(),
    scoped.$queryRaw<TPayerRow[]>`
      SELECT d.payer_id, p.name AS payer_name, d.events, d.revenue, d.max_severity, d.drift_types
      FROM (SELECT payer_id, count(*)::int AS events, sum(estimated_revenue_impact) AS revenue_sort,
                   sum(estimated_revenue_impact)::numeric(14, 2)::text AS revenue, max(severity) AS max_severity,
                   array_agg(DISTINCT drift_type::text ORDER BY drift_type::text) AS drift_types
            FROM drift_events WHERE customer_id = ${id} AND status = 'ACTIVE'
            GROUP BY payer_id
            ORDER BY revenue_sort DESC, max_severity DESC, payer_id
            LIMIT 5) d
      JOIN payers p ON p.id = d.payer_id
      ORDER BY d.revenue_sort DESC, d.max_severity DESC, d.payer_id`,
    scoped.$queryRaw<TAlertRow[]>`
      SELECT a.id, a.status::text AS status, a.suppressed, a.created_at, r.id AS rule_id, r.name AS rule_name,
             d.id AS drift_event_id, p.id AS payer_id, p.name AS payer_name, d.cpt_group, d.drift_type::text AS drift_type,
             d.severity, d.estimated_revenue_impact::text AS impact
      FROM (SELECT * FROM alert_events WHERE customer_id = ${id} ORDER BY created_at DESC, id DESC LIMIT 5) a
      JOIN alert_rules r ON r.id = a.rule_id
      JOIN drift_events d ON d.id = a.drift_event_id
      JOIN payers p ON p.id = d.payer_id
      ORDER BY a.created_at DESC, a.id DESC`,
    scoped.detectionRun.findFirst({
      orderBy: [{ queuedAt: "desc" }, { id: "desc" }],
      select: Object.fromEntries(Object.keys(ZDashboardRun.shape).map((key) => [key, true])) as Record<keyof typeof ZDashboardRun.shape, true>,
    }),
  ]);

  const t = totals[0]!;
  const byMonth = new Map(claims.trend.map((row) => [row.month, row]));
  return {
    totals: {
      claimLines: claims.claimLines,
      uploads: t.uploads,
      activeDriftEvents: t.active_events,
      revenueAtRisk: t.revenue_at_risk,
      recoveredThisMonth: t.recovered_this_month,
      pendingAlerts: t.pending_alerts,
    },
    lastRun: lastRun ? ZDashboardRun.parse(lastRun) : null,
    denialRateTrend: months.map((month) => {
      const row = byMonth.get(month);
      const decided = row?.decided ?? 0;
      const denied = row?.denied ?? 0;
      return { month, decidedLines: decided, deniedLines: denied, denialRate: decided > 0 ? denied / decided : null };
    }),
    topDriftingPayers: payers.map((row) => ({
      payer: { id: row.payer_id, name: row.payer_name },
      activeEvents: row.events,
      revenueAtRisk: row.revenue,
      maxSeverity: row.max_severity,
      driftTypes: row.drift_types as TDashboard["topDriftingPayers"][number]["driftTypes"],
    })),
    recentAlerts: alerts.map((row) => ({
      id: row.id,
      status: row.status,
      suppressed: row.suppressed,
      createdAt: row.created_at,
      rule: { id: row.rule_id, name: row.rule_name },
      driftEvent: {
        id: row.drift_event_id,
        payer: { id: row.payer_id, name: row.payer_name },
        cptGroup: row.cpt_group,
        driftType: row.drift_type,
        severity: row.severity,
        estimatedRevenueImpact: row.impact,
      },
    })),
    computedAt: now,
  };
}

/** The dashboard of one customer, from the cache when its data version has not moved. */
export async function getDashboard(customerId: string): Promise<TDashboard> {
  const now = new Date();
  const version = await readDashboardVersion(customerId);
  // The claims part travels in the version so that a follow-up computation (dashboard-cache.ts)
  // asks for the claim figures of the newest version that joined it.
  return dashboardCache.getOrCompute(customerId, `${now.toISOString().slice(0, 7)}\n${version.claims}\n${version.all}`, (joined) => {
    const [month, claims] = joined.split("\n");
    return computeDashboard(customerId, now, () =>
      dashboardCache.claimFigures.getOrCompute(customerId, `${claims}|${month}`, () => computeClaimFigures(customerId, now)),
    );
  });
}
