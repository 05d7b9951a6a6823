import { reasonMeaning, type TNarrativeEvent } from "./drift-narrative";
import { formatMoney, formatPercent } from "./format";

/**
 * A drift event's root cause in one sentence, e.g. "Most of the rise is CO-197 (precertification
 * or authorization was missing), from 1 % to 24 % of lines, starting around Nov 12 (± 2 days)."
 * It names a cause only when the API marks one dominant (half of the change or more, and
 * significant on its own), so noise never gets a name. Pure, so it is unit-tested.
 */

/** The parts of `rootCause` (GET /drift-events/{id}) the sentences use. */
export interface TNarrativeRootCause {
  denialReasons: {
    carcs: Array<{ group: string; code: string; baselineShare: number; currentShare: number; dominant: boolean }>;
  };
  procedures: Array<{
    cptCode: string;
    baselineShare: number;
    currentShare: number;
    baselineValue: number | null;
    currentValue: number | null;
    mixEffect: number;
    rateEffect: number;
    dominant: boolean;
  }>;
  changeDate: { date: string; uncertaintyDays: number } | null;
  dominant: { kind: "CARC" | "PROCEDURE"; code: string } | null;
}

type TEvent = Pick<TNarrativeEvent, "driftType" | "direction" | "denialReason">;

/** "1 %", "3.9 %", "24 %": whole percent when exact to 0.05 points. */
const pct = (rate: number) => {
  const points = rate * 100;
  return Math.abs(points - Math.round(points)) < 0.05 ? `${Math.round(points)} %` : `${points.toFixed(1)} %`;
};

/** "Nov 12" */
export function shortDay(isoDay: string): string {
  return new Date(`${isoDay}T00:00:00Z`).toLocaleDateString("en-US", { month: "short", day: "numeric", timeZone: "UTC" });
}

function movement(event: TEvent): string {
  if (event.driftType === "DECISION_TIME") return event.direction === "UP" ? "slowdown" : "speed-up";
  return event.direction === "UP" ? "rise" : "drop";
}

/** What a procedure's own value means, and how to write it. */
function procedureMetric(event: TEvent): { name: string; format: (value: number) => string } {
  switch (event.driftType) {
    case "DENIAL_RATE":
      return { name: "the denial rate", format: pct };
    case "DENIAL_REASON":
      return { name: `the share denied with ${event.denialReason ?? "the reason"}`, format: pct };
    case "DECISION_TIME":
      return { name: "the mean time to decision", format: (v) => `${v.toFixed(1)} days` };
    case "PAYMENT_AMOUNT":
      return { name: "the allowed amount against its usual one", format: (v) => formatPercent(v, 0) };
    case "UNDERPAYMENT":
      return { name: "the mean shortfall against contract per line", format: (v) => formatMoney(v, true) };
    default:
      return { name: "its level", format: (v) => v.toFixed(2) };
  }
}

function since(cause: TNarrativeRootCause): string {
  if (!cause.changeDate) return "";
  const { date, uncertaintyDays } = cause.changeDate;
  const plusMinus = uncertaintyDays > 0 ? ` (± ${uncertaintyDays} day${uncertaintyDays === 1 ? "" : "s"})` : "";
  return `, starting around ${shortDay(date)}${plusMinus}`;
}

export function rootCauseSentence(event: TEvent, cause: TNarrativeRootCause | null): string | null {
  if (!cause) return null;
  const what = movement(event);
  const carc = cause.dominant?.kind === "CARC" ? cause.denialReasons.carcs.find((c) => c.dominant) : undefined;
  if (carc) {
    const label = carc.group ? `${carc.group}-${carc.code}` : "Denials without a reason code";
    const meaning = reasonMeaning(label);
    return `Most of the ${what} is ${label}${meaning ? ` (${meaning})` : ""}, from ${pct(carc.baselineShare)} to ${pct(carc.currentShare)} of lines${since(cause)}.`;
  }
  const procedure = cause.dominant?.kind === "PROCEDURE" ? cause.procedures.find((p) => p.dominant) : undefined;
  if (procedure) {
    if (Math.abs(procedure.mixEffect) >= Math.abs(procedure.rateEffect)) {
      return `Most of the ${what} comes from CPT ${procedure.cptCode}, whose share of these lines went from ${pct(procedure.baselineShare)} to ${pct(procedure.currentShare)}${since(cause)}.`;
    }
    const metric = procedureMetric(event);
    const from = procedure.baselineValue === null ? "—" : metric.format(procedure.baselineValue);
    const to = procedure.currentValue === null ? "—" : metric.format(procedure.currentValue);
    return `Most of the ${what} is in CPT ${procedure.cptCode}, where ${metric.name} went from ${from} to ${to}${since(cause)}.`;
  }
  const began = cause.changeDate
    ? `; it began around ${shortDay(cause.changeDate.date)}${cause.changeDate.uncertaintyDays > 0 ? ` (± ${cause.changeDate.uncertaintyDays} day${cause.changeDate.uncertaintyDays === 1 ? "" : "s"})` : ""}`
    : "";
  return `No single denial reason or procedure explains most of the ${what}${began}.`;
}
