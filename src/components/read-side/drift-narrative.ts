import { cptGroupLabel, formatCount, formatMoney, formatPercent } from "./format";

/**
 * A drift event's statistics in words a billing manager understands: what changed, on how many
 * claims, how much money, how sure we are, and what to do next. Pure, so it is unit-tested.
 */

export interface TNarrativeEvent {
  payer: { name: string };
  cptGroup: string;
  driftType: "DENIAL_RATE" | "PAYMENT_AMOUNT" | "DECISION_TIME" | "DENIAL_REASON" | "UNDERPAYMENT";
  direction: "UP" | "DOWN";
  denialReason: string | null;
  baselineValue: number;
  currentValue: number;
  delta: number;
  deltaCi: [number, number];
  qValue: number;
  estimatedRevenueImpact: string;
  baselineSampleSize: number;
  currentSampleSize: number;
  baselineStart: string;
  baselineEnd: string;
  currentStart: string;
  currentEnd: string;
  consecutivePeriods: number;
}

/** Claim adjustment reason codes that come up most, in plain words. */
export const CARC_MEANING: Record<string, string> = {
  "4": "the modifier is missing or inconsistent with the procedure",
  "11": "the diagnosis does not support the procedure",
  "15": "the authorization number is missing or invalid",
  "16": "the claim lacks information needed for adjudication",
  "18": "it is a duplicate claim or service",
  "22": "another payer may be primary (coordination of benefits)",
  "27": "the service was after coverage ended",
  "29": "the time limit for filing has expired",
  "50": "the payer does not consider the service medically necessary",
  "96": "the charge is not covered",
  "97": "the service is bundled into another one already paid",
  "197": "precertification or authorization was missing",
  "204": "the service is not covered under the patient's benefit plan",
};

const days = (start: string, end: string) => Math.round((Date.parse(end) - Date.parse(start)) / 86_400_000) + 1;
const round1 = (value: number) => Number(value.toFixed(1));
/** Whole percent when that is exact to 0.05 points, else one decimal: "8 %", "4.8 %", "12.7 %". */
const pct0 = (rate: number) => {
  const points = rate * 100;
  return Math.abs(points - Math.round(points)) < 0.05 ? `${Math.round(points)} %` : `${points.toFixed(1)} %`;
};

/** p and q values as people read them: "< 0.0001" rather than 0.00e+0 for underflowed values. */
export function formatProbability(value: number): string {
  return value < 0.0001 ? "< 0.0001" : `= ${value.toPrecision(2)}`;
}

/** A delta and its interval in the metric's own unit: "+45.2 pts [+34.4, +55.4]". */
export function formatDelta(event: Pick<TNarrativeEvent, "driftType" | "delta" | "deltaCi">): string {
  const [low, high] = event.deltaCi;
  switch (event.driftType) {
    case "DENIAL_RATE":
    case "DENIAL_REASON":
    case "UNDERPAYMENT":
      return `${signedPoints(event.delta)} pts [${signedPoints(low)}, ${signedPoints(high)}]`;
    case "PAYMENT_AMOUNT":
      return `${signedPercent(event.delta)} [${signedPercent(low)}, ${signedPercent(high)}]`;
    case "DECISION_TIME":
      return `${signedNumber(event.delta)} days [${signedNumber(low)}, ${signedNumber(high)}]`;
  }
}

export function reasonMeaning(reason: string | null): string | null {
  if (!reason) return null;
  const code = reason.split("-")[1];
  return code ? (CARC_MEANING[code] ?? null) : null;
}

/** The one-sentence headline, e.g. "Denial rate rose from 8 % to 19 % on 240 claims; about $12,400 a month at risk." */
export function driftHeadline(event: TNarrativeEvent): string {
  const money = Number(event.estimatedRevenueImpact) > 0 ? `; about ${formatMoney(event.estimatedRevenueImpact)} a month at risk` : "";
  const claims = `${formatCount(event.currentSampleSize)} claim lines`;
  switch (event.driftType) {
    case "DENIAL_RATE":
      return `Denial rate ${event.direction === "UP" ? "rose" : "fell"} from ${pct0(event.baselineValue)} to ${pct0(event.currentValue)} on ${claims}${money}.`;
    case "PAYMENT_AMOUNT": {
      const change = Math.abs(event.currentValue / (event.baselineValue || 1) - 1);
      return `Allowed amounts ${event.direction === "DOWN" ? "fell" : "rose"} by ${pct0(change)} for the same procedure codes on ${claims}${money}.`;
    }
    case "DECISION_TIME":
      return `Decisions now take ${round1(event.currentValue)} days instead of ${round1(event.baselineValue)} (${round1(Math.abs(event.delta))} days ${event.direction === "UP" ? "slower" : "faster"}) on ${claims}${money}.`;
    case "DENIAL_REASON":
      return `${event.denialReason ?? "One denial reason"} went from ${pct0(event.baselineValue)} to ${pct0(event.currentValue)} of denials on ${claims}${money}.`;
    case "UNDERPAYMENT":
      return `Lines allowed below the contracted rate went from ${pct0(event.baselineValue)} to ${pct0(event.currentValue)} on ${formatCount(event.currentSampleSize)} contracted claim lines${money}.`;
  }
}

/** Further sentences: the windows, the confidence, persistence, and a next step. */
export function driftExplanation(event: TNarrativeEvent): string[] {
  const where = `${event.payer.name}, ${cptGroupLabel(event.cptGroup).toLowerCase()} claims`;
  const windows = `We compared the last ${days(event.currentStart, event.currentEnd)} days (${formatCount(event.currentSampleSize)} decided lines) with the ${days(event.baselineStart, event.baselineEnd)} days before (${formatCount(event.baselineSampleSize)} lines) for ${where}.`;
  const [low, high] = event.deltaCi;
  let range: string;
  switch (event.driftType) {
    case "DENIAL_RATE":
    case "DENIAL_REASON":
    case "UNDERPAYMENT":
      range = `between ${signedPoints(low)} and ${signedPoints(high)} percentage points`;
      break;
    case "PAYMENT_AMOUNT":
      range = `between ${signedPercent(low)} and ${signedPercent(high)}`;
      break;
    case "DECISION_TIME":
      range = `between ${signedNumber(low)} and ${signedNumber(high)} days`;
      break;
  }
  const confidence =
    event.qValue < 0.01 ? "This is very unlikely to be chance" : event.qValue < 0.05 ? "This is unlikely to be chance" : "This may still be chance";
  const sentences = [windows, `${confidence} (false-discovery-adjusted p ${formatProbability(event.qValue)}); the true change is most likely ${range}.`];
  if (event.consecutivePeriods > 1) sentences.push(`It has now been seen in ${event.consecutivePeriods} consecutive runs.`);
  const meaning = reasonMeaning(event.denialReason);
  if (meaning) sentences.push(`${event.denialReason} means ${meaning}.`);
  sentences.push(nextStep(event));
  return sentences;
}

function nextStep(event: TNarrativeEvent): string {
  switch (event.driftType) {
    case "DENIAL_RATE":
      return `Next: pull this payer's recent denials for these codes, look for a shared reason, and check the payer's policy bulletins for a change effective around ${event.currentStart}.`;
    case "PAYMENT_AMOUNT":
      return "Next: compare recent remittances against the contracted fee schedule and raise underpayments with the payer's provider representative.";
    case "DECISION_TIME":
      return "Next: check for pended claims and requests for records, and follow up on claims older than the usual decision time.";
    case "DENIAL_REASON":
      return `Next: review front-end checks for ${event.denialReason ?? "this reason"} (authorizations, eligibility, coding) and appeal the denials that meet the payer's criteria.`;
    case "UNDERPAYMENT":
      return "Next: open the underpayment worklist for this payer, appeal the lines paid below contract, and check whether the payer loaded a new fee schedule.";
  }
}

const signedPoints = (value: number) => `${value >= 0 ? "+" : "−"}${Math.abs(value * 100).toFixed(1)}`;
const signedPercent = (value: number) => `${value >= 0 ? "+" : "−"}${formatPercent(Math.abs(value), 1)}`;
const signedNumber = (value: number) => `${value >= 0 ? "+" : "−"}${Math.abs(value).toFixed(1)}`;

/** How to label baseline and current values in charts and tables. */
export function metricOf(event: Pick<TNarrativeEvent, "driftType" | "denialReason">): {
  name: string;
  unit: "rate" | "ratio" | "days";
  format: (value: number) => string;
} {
  switch (event.driftType) {
    case "DENIAL_RATE":
      return { name: "Denial rate", unit: "rate", format: (v) => formatPercent(v) };
    case "DENIAL_REASON":
      return { name: `Share of denials citing ${event.denialReason ?? "the reason"}`, unit: "rate", format: (v) => formatPercent(v) };
    case "PAYMENT_AMOUNT":
      return { name: "Allowed amount vs the code's usual amount", unit: "ratio", format: (v) => formatPercent(v, 0) };
    case "DECISION_TIME":
      return { name: "Median days to decision", unit: "days", format: (v) => `${round1(v)} days` };
    case "UNDERPAYMENT":
      return { name: "Share of contracted lines allowed below the contract", unit: "rate", format: (v) => formatPercent(v) };
  }
}
