/**
 * Reference data for the demo generator: the payer catalogue (with the raw names clinics really
 * send), a CPT / HCPCS code mix per CPT group with typical allowed amounts, CARC denial reasons
 * and the RARCs that usually accompany them. Codes and amounts only: CPT descriptions are
 * copyrighted and are never shipped. Amounts are rounded, Medicare-like national figures per
 * unit; each payer scales them by its own factor.
 */
import type { TCptGroupCode } from "../../src/server/services/ingestion/cpt-groups";

export interface TCataloguePayer {
  /** Catalogue name (payers.name with customer_id NULL). */
  name: string;
  /** Short code used in synthetic payer claim numbers. */
  code: string;
  /** Raw names as they appear in clinic files; normalised, they map to this payer. */
  aliases: readonly string[];
  /** Share of decided lines denied before the CPT group factor (PRODUCT.md: ~5–12 %). */
  denialRate: number;
  /**
   * Decision lag (days from submission to decision) = floor + round(log-normal(median, sigma)).
   * The floor is a processing minimum: Medicare's payment floor holds clean electronic claims
   * for 14 days. The median lag of a payer is therefore floor + median.
   */
  decisionLagFloorDays: number;
  decisionLagMedianDays: number;
  decisionLagSigma: number;
  /** Allowed amount relative to the Medicare-like typical amount. */
  allowedFactor: number;
  /** Share of non-denied lines with patient responsibility (PARTIAL) and fully to deductible (OTHER). */
  partialRate: number;
  otherRate: number;
  /** CARC weight overrides for this payer (0 removes a reason). */
  reasonWeights?: Readonly<Record<string, number>>;
}

export const PAYER_CATALOGUE: readonly TCataloguePayer[] = [
  {
    name: "UnitedHealthcare",
    code: "UHC",
    aliases: ["UHC", "United Healthcare", "UnitedHealthcare", "United Health Care", "UHC Commercial"],
    denialRate: 0.09,
    decisionLagMedianDays: 11,
    decisionLagSigma: 0.45,
    decisionLagFloorDays: 2,
    allowedFactor: 1.32,
    partialRate: 0.14,
    otherRate: 0.012,
  },
  {
    name: "Aetna",
    code: "AET",
    aliases: ["Aetna", "AETNA INC", "Aetna Health", "Aetna Commercial"],
    denialRate: 0.08,
    decisionLagMedianDays: 12,
    decisionLagSigma: 0.42,
    decisionLagFloorDays: 2,
    allowedFactor: 1.35,
    partialRate: 0.13,
    otherRate: 0.012,
  },
  {
    name: "Cigna",
    code: "CIG",
    aliases: ["Cigna", "CIGNA Healthcare", "Cigna HealthCare", "Cigna PPO"],
    denialRate: 0.07,
    decisionLagMedianDays: 10,
    decisionLagSigma: 0.4,
    decisionLagFloorDays: 2,
    allowedFactor: 1.38,
    partialRate: 0.13,
    otherRate: 0.012,
  },
  {
    name: "Humana",
    code: "HUM",
    aliases: ["Humana", "HUMANA INC", "Humana Medicare Advantage", "Humana Gold Plus"],
    denialRate: 0.09,
    decisionLagMedianDays: 13,
    decisionLagSigma: 0.45,
    decisionLagFloorDays: 2,
    allowedFactor: 1.02,
    partialRate: 0.16,
    otherRate: 0.008,
    // Humana reports missing authorisations as CO-15, not CO-197 (until the planted drift).
    reasonWeights: { "CO-197": 0, "CO-15": 9 },
  },
  {
    name: "Blue Cross Blue Shield",
    code: "BCBS",
    aliases: ["BCBS", "Blue Cross Blue Shield", "BlueCross BlueShield", "Blue Cross", "BCBS PPO"],
    denialRate: 0.06,
    decisionLagMedianDays: 9,
    decisionLagSigma: 0.4,
    decisionLagFloorDays: 2,
    allowedFactor: 1.28,
    partialRate: 0.15,
    otherRate: 0.014,
  },
  {
    name: "Medicare",
    code: "MCR",
    aliases: ["Medicare", "Medicare Part B", "CMS Medicare", "MEDICARE B"],
    denialRate: 0.07,
    decisionLagMedianDays: 3,
    decisionLagSigma: 0.6,
    decisionLagFloorDays: 14,
    allowedFactor: 1,
    partialRate: 0.22,
    otherRate: 0.01,
  },
  {
    name: "Medicaid",
    code: "MCD",
    aliases: ["Medicaid", "State Medicaid", "Medicaid FFS", "MEDICAID"],
    denialRate: 0.12,
    decisionLagMedianDays: 18,
    decisionLagSigma: 0.5,
    decisionLagFloorDays: 3,
    allowedFactor: 0.72,
    partialRate: 0.03,
    otherRate: 0.004,
  },
  {
    name: "Kaiser Permanente",
    code: "KP",
    aliases: ["Kaiser", "Kaiser Permanente", "KP", "Kaiser Foundation Health Plan"],
    denialRate: 0.05,
    decisionLagMedianDays: 8,
    decisionLagSigma: 0.38,
    decisionLagFloorDays: 2,
    allowedFactor: 1.22,
    partialRate: 0.1,
    otherRate: 0.01,
  },
  {
    name: "Anthem",
    code: "ANT",
    aliases: ["Anthem", "Anthem Blue Cross", "Anthem BCBS", "Elevance Anthem"],
    denialRate: 0.08,
    decisionLagMedianDays: 11,
    decisionLagSigma: 0.42,
    decisionLagFloorDays: 2,
    allowedFactor: 1.3,
    partialRate: 0.14,
    otherRate: 0.012,
  },
  {
    name: "Molina Healthcare",
    code: "MOL",
    aliases: ["Molina", "Molina Healthcare", "MOLINA HEALTHCARE INC"],
    denialRate: 0.11,
    decisionLagMedianDays: 16,
    decisionLagSigma: 0.5,
    decisionLagFloorDays: 3,
    allowedFactor: 0.8,
    partialRate: 0.04,
    otherRate: 0.005,
  },
  {
    name: "Centene",
    code: "CNC",
    aliases: ["Centene", "Ambetter", "Ambetter from Centene"],
    denialRate: 0.1,
    decisionLagMedianDays: 15,
    decisionLagSigma: 0.48,
    decisionLagFloorDays: 2,
    allowedFactor: 1.05,
    partialRate: 0.12,
    otherRate: 0.01,
  },
  {
    name: "TRICARE",
    code: "TRI",
    aliases: ["Tricare", "TRICARE East", "TRICARE West", "Tricare Select"],
    denialRate: 0.06,
    decisionLagMedianDays: 13,
    decisionLagSigma: 0.42,
    decisionLagFloorDays: 3,
    allowedFactor: 0.95,
    partialRate: 0.1,
    otherRate: 0.006,
  },
  {
    name: "Oscar Health",
    code: "OSC",
    aliases: ["Oscar", "Oscar Health", "Oscar Health Plan"],
    denialRate: 0.1,
    decisionLagMedianDays: 10,
    decisionLagSigma: 0.45,
    decisionLagFloorDays: 2,
    allowedFactor: 1.25,
    partialRate: 0.15,
    otherRate: 0.015,
  },
];

/**
 * One raw payer name per tenant that no catalogue payer matches: ingestion creates a
 * tenant-private payer for it until an admin maps it. Tenant i gets entry i mod length.
 */
export const UNMAPPED_PAYER_NAMES: readonly string[] = [
  "Sunrise Community Health Plan",
  "Lakeshore Employee Benefit Trust",
  "Granite State Workers Comp",
  "Pioneer Mutual Insurance",
  "Valley Teachers Health Fund",
  "Harbor Freight Workers Welfare Fund",
  "Cascade Regional Health Cooperative",
];

/** Behaviour of tenant-private (unmapped) payers: small regional plans. */
export const PRIVATE_PAYER_PROFILE: Omit<TCataloguePayer, "name" | "aliases"> = {
  code: "LOC",
  denialRate: 0.1,
  decisionLagMedianDays: 15,
  decisionLagSigma: 0.5,
  decisionLagFloorDays: 3,
  allowedFactor: 1.1,
  partialRate: 0.1,
  otherRate: 0.01,
};

// The same key ingestion maps raw payer names by.
export { normalizePayerName } from "@/server/services/ingestion/normalize-payer-name";

export interface TCptCode {
  code: string;
  /** Typical allowed amount per unit, in dollars, Medicare-like. */
  typicalAllowed: number;
  /** Relative frequency within its group. */
  weight: number;
  /** Units per line, inclusive range; step 0.1 for anesthesia time units. Default [1, 1]. */
  units?: readonly [number, number];
  unitStep?: number;
}

/** The CPT groups the demo data uses, with the codes each one draws from. */
export type TSeedCptGroup = "EM" | "PATHOLOGY_LAB" | "MEDICINE" | "RADIOLOGY" | "SURGERY" | "ANESTHESIA" | "HCPCS_J" | "HCPCS_G";

export const CPT_CODES: Readonly<Record<TSeedCptGroup, readonly TCptCode[]>> = {
  EM: [
    { code: "99213", typicalAllowed: 90, weight: 30 },
    { code: "99214", typicalAllowed: 128, weight: 28 },
    { code: "99212", typicalAllowed: 56, weight: 6 },
    { code: "99215", typicalAllowed: 180, weight: 6 },
    { code: "99203", typicalAllowed: 110, weight: 5 },
    { code: "99204", typicalAllowed: 167, weight: 6 },
    { code: "99202", typicalAllowed: 72, weight: 2 },
    { code: "99205", typicalAllowed: 220, weight: 2 },
    { code: "99395", typicalAllowed: 115, weight: 3 },
    { code: "99396", typicalAllowed: 122, weight: 4 },
    { code: "99397", typicalAllowed: 133, weight: 3 },
    { code: "99232", typicalAllowed: 82, weight: 2 },
    { code: "99284", typicalAllowed: 118, weight: 1 },
    { code: "99285", typicalAllowed: 172, weight: 1 },
    { code: "99497", typicalAllowed: 85, weight: 1 },
  ],
  PATHOLOGY_LAB: [
    { code: "80053", typicalAllowed: 10.56, weight: 16 },
    { code: "85025", typicalAllowed: 7.77, weight: 16 },
    { code: "80061", typicalAllowed: 13.39, weight: 10 },
    { code: "83036", typicalAllowed: 9.71, weight: 8 },
    { code: "84443", typicalAllowed: 16.8, weight: 8 },
    { code: "81003", typicalAllowed: 2.25, weight: 6 },
    { code: "80048", typicalAllowed: 8.46, weight: 5 },
    { code: "82306", typicalAllowed: 29.6, weight: 6 },
    { code: "84153", typicalAllowed: 18.39, weight: 3 },
    { code: "87086", typicalAllowed: 8.8, weight: 4 },
    { code: "88305", typicalAllowed: 70, weight: 3 },
    { code: "87880", typicalAllowed: 16.5, weight: 3 },
    { code: "82043", typicalAllowed: 7.1, weight: 3 },
    { code: "84439", typicalAllowed: 8.8, weight: 3 },
    { code: "82728", typicalAllowed: 13.5, weight: 2 },
    { code: "87635", typicalAllowed: 51, weight: 2 },
  ],
  MEDICINE: [
    { code: "90471", typicalAllowed: 22, weight: 10 },
    { code: "90686", typicalAllowed: 19, weight: 7 },
    { code: "90715", typicalAllowed: 35, weight: 2 },
    { code: "90732", typicalAllowed: 120, weight: 2 },
    { code: "93000", typicalAllowed: 16, weight: 8 },
    { code: "96372", typicalAllowed: 14, weight: 9 },
    { code: "97110", typicalAllowed: 29, weight: 12, units: [1, 4] },
    { code: "97140", typicalAllowed: 27, weight: 8, units: [1, 3] },
    { code: "97530", typicalAllowed: 36, weight: 6, units: [1, 3] },
    { code: "97161", typicalAllowed: 100, weight: 3 },
    { code: "90834", typicalAllowed: 98, weight: 6 },
    { code: "90837", typicalAllowed: 145, weight: 5 },
    { code: "90791", typicalAllowed: 175, weight: 2 },
    { code: "92014", typicalAllowed: 140, weight: 3 },
    { code: "94640", typicalAllowed: 14, weight: 3 },
    { code: "93306", typicalAllowed: 215, weight: 3 },
    { code: "96127", typicalAllowed: 5, weight: 5 },
  ],
  RADIOLOGY: [
    { code: "71046", typicalAllowed: 32, weight: 16 },
    { code: "73030", typicalAllowed: 30, weight: 7 },
    { code: "73560", typicalAllowed: 31, weight: 8 },
    { code: "73610", typicalAllowed: 30, weight: 5 },
    { code: "72040", typicalAllowed: 36, weight: 4 },
    { code: "72100", typicalAllowed: 35, weight: 6 },
    { code: "72148", typicalAllowed: 215, weight: 5 },
    { code: "73721", typicalAllowed: 212, weight: 5 },
    { code: "70450", typicalAllowed: 108, weight: 4 },
    { code: "74177", typicalAllowed: 330, weight: 4 },
    { code: "71250", typicalAllowed: 140, weight: 3 },
    { code: "76700", typicalAllowed: 112, weight: 5 },
    { code: "76856", typicalAllowed: 98, weight: 4 },
    { code: "77067", typicalAllowed: 135, weight: 9 },
    { code: "77080", typicalAllowed: 40, weight: 4 },
  ],
  SURGERY: [
    { code: "36415", typicalAllowed: 3, weight: 20 },
    { code: "20610", typicalAllowed: 62, weight: 10 },
    { code: "20611", typicalAllowed: 90, weight: 4 },
    { code: "17110", typicalAllowed: 118, weight: 6 },
    { code: "17000", typicalAllowed: 62, weight: 6 },
    { code: "11102", typicalAllowed: 95, weight: 6 },
    { code: "11104", typicalAllowed: 110, weight: 3 },
    { code: "12001", typicalAllowed: 105, weight: 4 },
    { code: "10060", typicalAllowed: 120, weight: 4 },
    { code: "20553", typicalAllowed: 50, weight: 4 },
    { code: "29125", typicalAllowed: 70, weight: 3 },
    { code: "64483", typicalAllowed: 230, weight: 3 },
    { code: "45378", typicalAllowed: 380, weight: 3 },
    { code: "29881", typicalAllowed: 520, weight: 2 },
    { code: "29827", typicalAllowed: 1100, weight: 1 },
    { code: "27447", typicalAllowed: 1300, weight: 1 },
  ],
  ANESTHESIA: [
    { code: "00810", typicalAllowed: 22, weight: 5, units: [5, 9], unitStep: 0.1 },
    { code: "01400", typicalAllowed: 22, weight: 3, units: [6, 11], unitStep: 0.1 },
    { code: "00731", typicalAllowed: 22, weight: 3, units: [5, 8], unitStep: 0.1 },
    { code: "01402", typicalAllowed: 22, weight: 2, units: [10, 16], unitStep: 0.1 },
  ],
  HCPCS_J: [
    { code: "J1100", typicalAllowed: 0.12, weight: 10, units: [4, 10] },
    { code: "J3301", typicalAllowed: 1.5, weight: 10, units: [1, 8] },
    { code: "J1030", typicalAllowed: 3.5, weight: 6, units: [1, 2] },
    { code: "J0696", typicalAllowed: 0.7, weight: 5, units: [1, 4] },
    { code: "J1885", typicalAllowed: 0.35, weight: 5, units: [1, 4] },
    { code: "J7050", typicalAllowed: 0.45, weight: 4, units: [1, 4] },
    { code: "J3420", typicalAllowed: 0.3, weight: 5 },
    { code: "J0897", typicalAllowed: 20, weight: 2, units: [60, 60] },
    { code: "J0585", typicalAllowed: 6.4, weight: 1, units: [100, 200] },
    { code: "J1745", typicalAllowed: 45, weight: 1, units: [30, 50] },
  ],
  HCPCS_G: [
    { code: "G0439", typicalAllowed: 132, weight: 10 },
    { code: "G0438", typicalAllowed: 200, weight: 3 },
    { code: "G0008", typicalAllowed: 32, weight: 8 },
    { code: "G0444", typicalAllowed: 18, weight: 5 },
    { code: "G2211", typicalAllowed: 16, weight: 8 },
    { code: "G0442", typicalAllowed: 18, weight: 3 },
  ],
};

export const SEED_CPT_GROUPS = Object.keys(CPT_CODES) as TSeedCptGroup[];

/** Lines per claim by group: a claim stays within one group (so one claim is one cell). */
export const LINES_PER_CLAIM: Readonly<Record<TSeedCptGroup, readonly number[]>> = {
  // weights for 1, 2, 3, 4 lines
  EM: [95, 5],
  PATHOLOGY_LAB: [35, 30, 20, 15],
  MEDICINE: [45, 35, 20],
  RADIOLOGY: [80, 20],
  SURGERY: [75, 25],
  ANESTHESIA: [100],
  HCPCS_J: [80, 20],
  HCPCS_G: [85, 15],
};

/** Denial propensity of a CPT group relative to the payer's rate (prior auth, bundling…). */
export const GROUP_DENIAL_FACTOR: Readonly<Record<TSeedCptGroup, number>> = {
  EM: 1,
  PATHOLOGY_LAB: 1.1,
  MEDICINE: 1,
  RADIOLOGY: 1.25,
  SURGERY: 1.2,
  ANESTHESIA: 0.8,
  HCPCS_J: 1.3,
  HCPCS_G: 0.9,
};

export interface TDenialReason {
  group: "CO" | "PR" | "OA" | "PI" | "CR";
  code: string;
  weight: number;
  /** RARCs that usually accompany the CARC; one is attached to about half the denials. */
  remarks: readonly string[];
  /** Weight multipliers by CPT group. */
  groupTilt?: Partial<Record<TSeedCptGroup, number>>;
}

/**
 * CARC denial reasons with their base weights. Every reason in a mix holds at least a few per
 * cent of denials (or none), so an unplanted cell never has a reason near the "from < 2 %" gate.
 */
export const DENIAL_REASONS: readonly TDenialReason[] = [
  { group: "CO", code: "16", weight: 18, remarks: ["MA130", "N290", "M51"] },
  { group: "CO", code: "50", weight: 14, remarks: ["N115", "N386"], groupTilt: { RADIOLOGY: 1.8, PATHOLOGY_LAB: 1.6 } },
  { group: "CO", code: "97", weight: 11, remarks: ["M15", "N19"], groupTilt: { SURGERY: 2, PATHOLOGY_LAB: 1.5, MEDICINE: 1.3 } },
  { group: "CO", code: "18", weight: 9, remarks: ["N522", "MA67"] },
  { group: "CO", code: "197", weight: 8, remarks: ["N54", "M62"], groupTilt: { RADIOLOGY: 2.5, SURGERY: 2, HCPCS_J: 2 } },
  { group: "CO", code: "15", weight: 0, remarks: ["N54"] },
  { group: "CO", code: "27", weight: 7, remarks: ["N30"] },
  { group: "CO", code: "4", weight: 6, remarks: ["N519", "M114"], groupTilt: { SURGERY: 1.8 } },
  { group: "CO", code: "11", weight: 5, remarks: ["M76"] },
  { group: "CO", code: "22", weight: 5, remarks: ["MA04"] },
  { group: "CO", code: "29", weight: 4, remarks: ["N211"] },
  { group: "PR", code: "96", weight: 5, remarks: ["N130"] },
  { group: "PR", code: "204", weight: 4, remarks: ["N130"] },
];

/** Patient-responsibility reasons on PARTIAL lines (and OTHER lines fully applied to deductible). */
export const PATIENT_RESPONSIBILITY = {
  deductible: { group: "PR", code: "1" },
  coinsurance: { group: "PR", code: "2" },
  copay: { group: "PR", code: "3" },
} as const;

/** Decisions by calendar month (Jan..Dec): flu season and year-start high, summer and December low. */
export const MONTH_SEASONALITY: readonly number[] = [1.06, 1.02, 1.05, 0.98, 0.97, 0.92, 0.88, 0.95, 1.0, 1.06, 1.03, 0.93];

/** Decisions by weekday (Sun..Sat): payers adjudicate on business days. */
export const WEEKDAY_SEASONALITY: readonly number[] = [0.08, 1.1, 1.05, 1, 1, 0.95, 0.12];

/** Check that catalogue codes are grouped where they claim to be (used by tests). */
export function catalogueGroups(): Array<{ code: string; group: TCptGroupCode }> {
  return SEED_CPT_GROUPS.flatMap((group) => CPT_CODES[group].map((entry) => ({ code: entry.code, group })));
}
