import { formatDay, formatPercent, formatPoints } from "./format";
import { reasonMeaning } from "./drift-narrative";
import { rootCauseSentence } from "./root-cause-narrative";
import type { TDriftEventDetailData } from "./types";

/** "Why it changed": the root cause in words, then the top denial reasons and procedures behind it. */
export function RootCausePanel({ event }: { event: TDriftEventDetailData }) {
  const cause = event.rootCause;
  const sentence = rootCauseSentence(event, cause);
  return (
    <section className="panel" aria-labelledby="why-title">
      <h2 id="why-title">Why it changed</h2>
      {!cause || !sentence ? (
        <p className="muted">The root cause is worked out when detection finds or re-finds this drift; it will appear after the next run.</p>
      ) : (
        <>
          <p data-testid="root-cause">{sentence}</p>
          {cause.changeDate && (
            <p className="muted" style={{ fontSize: 13 }}>
              Change began between {formatDay(cause.changeDate.low)} and {formatDay(cause.changeDate.high)} (95 %), from the daily {cause.metric}.
            </p>
          )}
          {cause.denialReasons.carcs.length > 0 && (
            <ul className="list-plain" aria-label="Denial reasons, share of lines">
              {cause.denialReasons.carcs.slice(0, 3).map((c) => {
                const label = c.group ? `${c.group}-${c.code}` : "No reason code";
                const meaning = reasonMeaning(label);
                return (
                  <li key={label} style={{ fontSize: 14 }}>
                    <strong>{label}</strong>
                    {meaning ? ` ${meaning}` : ""}: {formatPercent(c.baselineShare)} → {formatPercent(c.currentShare)} of lines ({formatPoints(c.contribution)})
                  </li>
                );
              })}
            </ul>
          )}
          {cause.procedures.length > 0 && (
            <ul className="list-plain" aria-label="Procedures by their part in the change">
              {cause.procedures.slice(0, 3).map((p) => (
                <li key={p.cptCode} style={{ fontSize: 14 }}>
                  <strong>CPT {p.cptCode}</strong>: {formatPercent(p.baselineShare)} → {formatPercent(p.currentShare)} of lines
                  {p.shareOfChange !== null ? `, ${formatPercent(p.shareOfChange, 0)} of the change` : ""}
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}
