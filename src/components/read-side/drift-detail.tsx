import Link from "next/link";
import { BaselineCurrentChart } from "./charts";
import { driftExplanation, driftHeadline, formatDelta, formatProbability, metricOf } from "./drift-narrative";
import { cptGroupLabel, DRIFT_TYPE_LABEL, formatCount, formatDateTime, formatDay, formatMoney, severityLabel } from "./format";
import { RootCausePanel } from "./root-cause-panel";
import type { TAlertData, TDriftEventDetailData } from "./types";
import "./read-side.css";

const FEEDBACK_LABEL = { REAL: "Real", NOISE: "Noise", NEEDS_FOLLOWUP: "Needs follow-up" } as const;

/** One drift event, in words first, then the numbers behind them, its alerts and their feedback. */
export function DriftDetail({ event, alerts, alertsTotal }: { event: TDriftEventDetailData; alerts: TAlertData[]; alertsTotal: number }) {
  const metric = metricOf(event);
  const severity = severityLabel(event.severity);
  return (
    <div className="read-side">
      <p>
        <Link href="/drift-events">← All drift events</Link>
      </p>
      <div className="page-head">
        <h1>
          {event.payer.name}: {DRIFT_TYPE_LABEL[event.driftType]}
          {event.denialReason ? ` ${event.denialReason}` : ""} in {cptGroupLabel(event.cptGroup).toLowerCase()}
        </h1>
        <div className="toolbar">
          <span className={`badge ${severity.toLowerCase()}`}>{severity} severity</span>
          <span className={`badge ${event.status === "ACTIVE" ? "active" : "neutral"}`}>
            {event.status === "ACTIVE" ? "Active" : `Resolved ${formatDay(event.resolvedAt)}`}
          </span>
        </div>
      </div>
      <p className="headline">{driftHeadline(event)}</p>
      <div className="panels">
        <section className="panel explain" aria-labelledby="what-title">
          <h2 id="what-title">What this means</h2>
          {driftExplanation(event).map((sentence) => (
            <p key={sentence}>{sentence}</p>
          ))}
        </section>
        <RootCausePanel event={event} />
        <section className="panel" aria-labelledby="chart-title">
          <h2 id="chart-title">Baseline vs current</h2>
          <BaselineCurrentChart metric={metric.name} baseline={event.baselineValue} current={event.currentValue} unit={metric.unit} />
          <p className="muted" style={{ fontSize: 13 }}>
            Baseline {formatDay(event.baselineStart)} – {formatDay(event.baselineEnd)} · current {formatDay(event.currentStart)} – {formatDay(event.currentEnd)}
          </p>
        </section>
      </div>
      <div className="panels">
        <section className="panel" aria-labelledby="numbers-title">
          <h2 id="numbers-title">The numbers</h2>
          <dl className="kv">
            <dt>{metric.name}, baseline</dt>
            <dd>
              {metric.format(event.baselineValue)} on {formatCount(event.baselineSampleSize)} lines
            </dd>
            <dt>{metric.name}, current</dt>
            <dd>
              {metric.format(event.currentValue)} on {formatCount(event.currentSampleSize)} lines
            </dd>
            <dt>Estimated revenue at risk</dt>
            <dd>{formatMoney(event.estimatedRevenueImpact)} per month</dd>
            <dt>Change (95 % interval)</dt>
            <dd>{formatDelta(event)}</dd>
            <dt>p-value / q (BH-adjusted)</dt>
            <dd>
              p {formatProbability(event.pValue)} · q {formatProbability(event.qValue)}
            </dd>
            <dt>Severity</dt>
            <dd>
              {event.severity.toFixed(2)} ({severity.toLowerCase()})
            </dd>
            <dt>Seen in</dt>
            <dd>
              {event.consecutivePeriods} consecutive run{event.consecutivePeriods === 1 ? "" : "s"}
            </dd>
            <dt>First detected</dt>
            <dd>{formatDateTime(event.firstDetectedAt)}</dd>
            <dt>Last detected</dt>
            <dd>{formatDateTime(event.lastDetectedAt)}</dd>
          </dl>
        </section>
        <section className="panel" aria-labelledby="alerts-title">
          <h2 id="alerts-title">Alerts and feedback</h2>
          {alerts.length === 0 ? (
            <p className="muted">No alert rule has matched this event yet. Admins set rules on the Alert rules page.</p>
          ) : (
            <ul className="list-plain">
              {alerts.map((alert) => (
                <li key={alert.id}>
                  <strong>{alert.rule.name}</strong>{" "}
                  <span
                    className={`badge ${alert.suppressed ? "neutral" : alert.status === "ACKNOWLEDGED" || alert.status === "RESOLVED" ? "good" : "active"}`}
                  >
                    {alert.suppressed ? "suppressed" : alert.status.toLowerCase()}
                  </span>
                  <div className="muted" style={{ fontSize: 13 }}>
                    Raised {formatDateTime(alert.createdAt)}
                    {alert.suppressed && alert.suppressionReason ? ` · ${alert.suppressionReason}` : ""}
                    {alert.acknowledgedBy ? ` · acknowledged by ${alert.acknowledgedBy.email}` : ""}
                  </div>
                  {alert.feedback.length > 0 && (
                    <ul className="list-plain" aria-label={`Feedback on the alert from ${alert.rule.name}`}>
                      {alert.feedback.map((f) => (
                        <li key={f.id} style={{ fontSize: 14 }}>
                          <span className={`badge ${f.verdict === "REAL" ? "high" : f.verdict === "NOISE" ? "neutral" : "medium"}`}>
                            {FEEDBACK_LABEL[f.verdict]}
                          </span>{" "}
                          {f.user.email}
                          {f.recoveredAmount ? ` · recovered ${formatMoney(f.recoveredAmount, true)}` : ""}
                          {f.notes ? <div>{f.notes}</div> : null}
                        </li>
                      ))}
                    </ul>
                  )}
                </li>
              ))}
            </ul>
          )}
          {alertsTotal > alerts.length && (
            <p className="muted">
              Showing the {alerts.length} newest of {alertsTotal} alerts.
            </p>
          )}
          <p>
            <Link href="/alerts">All alerts</Link> ·{" "}
            <Link href={`/drift-events?payerId=${event.payer.id}&cptGroup=${event.cptGroup}`}>Other drift events for {event.payer.name} in this group</Link>
          </p>
        </section>
      </div>
    </div>
  );
}
