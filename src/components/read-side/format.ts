/** Display helpers for the read-side pages (plain functions: usable on server and client). */

const money0 = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", maximumFractionDigits: 0 });
const money2 = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", minimumFractionDigits: 2, maximumFractionDigits: 2 });
const count = new Intl.NumberFormat("en-US");

/** "$12,400" (whole dollars) or "$120.00" with cents. */
export function formatMoney(value: string | number | null | undefined, cents = false): string {
  if (value === null || value === undefined || value === "") return "—";
  const n = typeof value === "number" ? value : Number(value);
  return Number.isFinite(n) ? (cents ? money2 : money0).format(n) : "—";
}

export function formatCount(value: number | null | undefined): string {
  return value === null || value === undefined ? "—" : count.format(value);
}

/** 0.0834 -> "8.3 %" (digits after the point). */
export function formatPercent(rate: number | null | undefined, digits = 1): string {
  if (rate === null || rate === undefined || !Number.isFinite(rate)) return "—";
  return `${(rate * 100).toFixed(digits)} %`;
}

/** A change in a rate, in percentage points: 0.052 -> "+5.2 pts". */
export function formatPoints(delta: number | null | undefined, digits = 1): string {
  if (delta === null || delta === undefined || !Number.isFinite(delta)) return "—";
  const points = delta * 100;
  return `${points > 0 ? "+" : points < 0 ? "−" : "±"}${Math.abs(points).toFixed(digits)} pts`;
}

export function formatDays(days: number | null | undefined): string {
  if (days === null || days === undefined || !Number.isFinite(days)) return "—";
  return `${Number.isInteger(days) ? days : days.toFixed(1)} d`;
}

export function formatDateTime(value: Date | string | null | undefined): string {
  if (!value) return "—";
  const date = typeof value === "string" ? new Date(value) : value;
  return `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

export function formatDay(value: string | Date | null | undefined): string {
  if (!value) return "—";
  const iso = typeof value === "string" ? value : value.toISOString();
  return new Date(`${iso.slice(0, 10)}T00:00:00Z`).toLocaleDateString("en-US", { month: "short", day: "numeric", year: "numeric", timeZone: "UTC" });
}

/** "2026-07" -> "Jul 2026". */
export function formatMonth(month: string): string {
  return new Date(`${month}-01T00:00:00Z`).toLocaleDateString("en-US", { month: "short", year: "numeric", timeZone: "UTC" });
}

export const DRIFT_TYPE_LABEL: Record<string, string> = {
  DENIAL_RATE: "Denial rate",
  PAYMENT_AMOUNT: "Payment amount",
  DECISION_TIME: "Time to decision",
  DENIAL_REASON: "Denial reason",
  UNDERPAYMENT: "Underpayment",
};

export const CPT_GROUP_LABEL: Record<string, string> = {
  EM: "Evaluation and management",
  ANESTHESIA: "Anesthesia",
  SURGERY: "Surgery",
  RADIOLOGY: "Radiology",
  PATHOLOGY_LAB: "Pathology and lab",
  MEDICINE: "Medicine",
  CATEGORY_II: "CPT Category II",
  CATEGORY_III: "CPT Category III",
  OTHER: "Other codes",
};

export function cptGroupLabel(code: string): string {
  return CPT_GROUP_LABEL[code] ?? (code.startsWith("HCPCS_") ? `HCPCS ${code.slice(6)} codes` : code);
}

/** How severe, in words (severity is 0.5 at the practical gate). */
export function severityLabel(severity: number): "Critical" | "High" | "Medium" | "Low" {
  if (severity >= 0.85) return "Critical";
  if (severity >= 0.7) return "High";
  if (severity >= 0.5) return "Medium";
  return "Low";
}

/** Relative time for people: "3 hours ago". */
export function timeAgo(value: Date | string | null | undefined, now = Date.now()): string {
  if (!value) return "never";
  const ms = now - (typeof value === "string" ? new Date(value) : value).getTime();
  const minutes = Math.round(ms / 60_000);
  if (minutes < 1) return "just now";
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.round(hours / 24)} days ago`;
}
