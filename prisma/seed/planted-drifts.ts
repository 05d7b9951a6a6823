/**
 * The drifts planted in the demo data, as data: the generator applies them, the seed summary
 * reports them, tests and the detector's acceptance checks read them. README.md in this folder
 * documents the same list for people.
 *
 * Each one changes a single (tenant, payer, CPT group) cell, only for lines decided in the
 * current window (the 14 days before asOf); the 90-day baseline before it and every other cell
 * keep one stationary distribution, so a sound detector flags the planted cells and, beyond
 * them, at most its false-discovery rate.
 */
import { DENIAL_REASONS, GROUP_DENIAL_FACTOR, PAYER_CATALOGUE, type TCataloguePayer, type TSeedCptGroup } from "./catalogue";

export type TDriftType = "DENIAL_RATE" | "PAYMENT_AMOUNT" | "DECISION_TIME" | "DENIAL_REASON" | "UNDERPAYMENT";

/**
 * The demo fee schedules (seed-demo.ts): each payer's contracted rate per unit for an E/M code is
 * this share of the code's typical allowed amount times the payer's allowed factor, so a few per
 * cent of lines (the low end of the price noise) fall below contract at any time.
 */
export const DEMO_CONTRACT_SHARE = 0.9;

export type TPlantedEffect =
  /** The cell's denial probability becomes `toRate` (the reason mix among denials is unchanged). */
  | { kind: "DENIAL_RATE"; toRate: number }
  /** Allowed (and so paid) amounts per unit are multiplied by `multiplier`, code by code. */
  | { kind: "PAYMENT_AMOUNT"; multiplier: number }
  /** Every claim's decision lag grows by `shiftDays`. */
  | { kind: "DECISION_TIME"; shiftDays: number }
  /**
   * Extra denials with one CARC are added on top of the usual ones, sized so that the CARC's
   * share among all denials becomes `share` (the usual denials, and their mix, are unchanged).
   */
  | { kind: "DENIAL_REASON"; group: "CO" | "PR" | "OA" | "PI" | "CR"; code: string; share: number }
  /** One code's allowed amounts become `shareOfContract` of its demo contracted rate. */
  | { kind: "UNDERPAYMENT"; code: string; shareOfContract: number };

export interface TPlantedDrift {
  /** Index of the tenant in seed order (0 = the biggest, northwind-clinic). */
  tenantIndex: number;
  /** The tenant's slug without any slugPrefix. */
  tenantSlug: string;
  payerName: string;
  cptGroup: TSeedCptGroup;
  driftType: TDriftType;
  direction: "UP" | "DOWN";
  /** For DENIAL_REASON: the CARC whose share rises, e.g. "CO-197". */
  denialReason: string | null;
  /** The metric the detector computes for this type (PRODUCT.md §3) and its planted values. */
  metric: string;
  baselineValue: number;
  currentValue: number;
  /** currentValue - baselineValue, in the metric's unit. */
  size: number;
  unit: "proportion" | "ratio" | "days";
  effect: TPlantedEffect;
  description: string;
}

function payer(name: string): TCataloguePayer {
  const found = PAYER_CATALOGUE.find((p) => p.name === name);
  if (!found) throw new Error(`unknown catalogue payer ${name}`);
  return found;
}

/** The stationary denial probability of a cell. */
export function baseDenialRate(payerProfile: Pick<TCataloguePayer, "denialRate">, group: TSeedCptGroup): number {
  return payerProfile.denialRate * GROUP_DENIAL_FACTOR[group];
}

/** Extra denial probability that lifts one reason's share among denials to `share`. */
export function addedDenialRate(baseRate: number, share: number): number {
  return (share * baseRate) / (1 - share);
}

const round = (value: number, digits = 4) => Number(value.toFixed(digits));

function denialRateDrift(): TPlantedDrift {
  const from = baseDenialRate(payer("Aetna"), "EM");
  const to = 0.2;
  return {
    tenantIndex: 0,
    tenantSlug: "northwind-clinic",
    payerName: "Aetna",
    cptGroup: "EM",
    driftType: "DENIAL_RATE",
    direction: "UP",
    denialReason: null,
    metric: "denied / decided lines",
    baselineValue: round(from),
    currentValue: to,
    size: round(to - from),
    unit: "proportion",
    effect: { kind: "DENIAL_RATE", toRate: to },
    description: "Aetna starts denying office visits: E/M denial rate from 8 % to 20 % (+12 pp).",
  };
}

function paymentDrift(): TPlantedDrift {
  const multiplier = 0.85;
  return {
    tenantIndex: 0,
    tenantSlug: "northwind-clinic",
    payerName: "UnitedHealthcare",
    cptGroup: "PATHOLOGY_LAB",
    driftType: "PAYMENT_AMOUNT",
    direction: "DOWN",
    denialReason: null,
    metric: "allowed per unit / baseline median of the same code",
    baselineValue: 1,
    currentValue: multiplier,
    size: round(multiplier - 1),
    unit: "ratio",
    effect: { kind: "PAYMENT_AMOUNT", multiplier },
    description: "UnitedHealthcare cuts its lab fee schedule: allowed per unit -15 % on every lab code.",
  };
}

function decisionTimeDrift(): TPlantedDrift {
  const cigna = payer("Cigna");
  const from = cigna.decisionLagFloorDays + cigna.decisionLagMedianDays;
  const shift = 10;
  return {
    tenantIndex: 0,
    tenantSlug: "northwind-clinic",
    payerName: "Cigna",
    cptGroup: "RADIOLOGY",
    driftType: "DECISION_TIME",
    direction: "UP",
    denialReason: null,
    metric: "median days from submission to decision",
    baselineValue: from,
    currentValue: from + shift,
    size: shift,
    unit: "days",
    effect: { kind: "DECISION_TIME", shiftDays: shift },
    description: "Cigna slows down imaging claims (new review step): median decision lag 12 -> 22 days.",
  };
}

function denialReasonDrift(): TPlantedDrift {
  const humana = payer("Humana");
  // Humana's usual mix has no CO-197 (it reports missing authorisations as CO-15).
  const reason = DENIAL_REASONS.find((r) => r.group === "CO" && r.code === "197");
  if (!reason || humana.reasonWeights?.["CO-197"] !== 0) throw new Error("catalogue changed: Humana must not use CO-197");
  const share = 0.3;
  return {
    tenantIndex: 0,
    tenantSlug: "northwind-clinic",
    payerName: "Humana",
    cptGroup: "MEDICINE",
    driftType: "DENIAL_REASON",
    direction: "UP",
    denialReason: "CO-197",
    metric: "share of CO-197 among denials",
    baselineValue: 0,
    currentValue: share,
    size: share,
    unit: "proportion",
    effect: { kind: "DENIAL_REASON", group: "CO", code: "197", share },
    description:
      "Humana starts requiring prior authorisation for some Medicine services: CO-197 from 0 % to 30 % of " +
      "denials. The extra denials lift the cell's denial rate from 9.0 % to 12.9 % (+3.9 pp, under the 5 pp " +
      "DENIAL_RATE gate, so no DENIAL_RATE event is expected for this cell).",
  };
}

function underpaymentDrift(): TPlantedDrift {
  const share = 0.85;
  return {
    tenantIndex: 0,
    tenantSlug: "northwind-clinic",
    payerName: "Medicare",
    cptGroup: "EM",
    driftType: "UNDERPAYMENT",
    direction: "UP",
    denialReason: null,
    metric: "share of contracted lines allowed below the fee schedule (beyond max(1 %, $1))",
    baselineValue: 0.03,
    currentValue: 0.32,
    size: 0.29,
    unit: "proportion",
    effect: { kind: "UNDERPAYMENT", code: "99213", shareOfContract: share },
    description:
      "Medicare pays 85 % of the contracted rate for 99213 office visits in the last 14 days (a fee schedule loaded wrong): " +
      "about 3 % of the cell's contracted lines were below contract before, about 32 % now (99213 is about 30 % of E/M lines). " +
      "The cell's median allowed-per-unit ratio falls about 3 %, under the 5 % PAYMENT_AMOUNT gate, so no PAYMENT_AMOUNT event is expected.",
  };
}

export const PLANTED_DRIFTS: readonly TPlantedDrift[] = [denialRateDrift(), paymentDrift(), decisionTimeDrift(), denialReasonDrift(), underpaymentDrift()];
