/**
 * CPT / HCPCS code -> CPT group (the `cpt_groups.code` values), by published code range only.
 * CPT descriptions are copyrighted; ranges are not, so no description ever appears here.
 * Per-tenant overrides (`cpt_mappings`) are applied by the caller before this default.
 */

// Every group code seeded into cpt_groups by the migrations.
export const CPT_GROUP_CODES = [
  "EM",
  "ANESTHESIA",
  "SURGERY",
  "RADIOLOGY",
  "PATHOLOGY_LAB",
  "MEDICINE",
  "CATEGORY_II",
  "CATEGORY_III",
  "HCPCS_A",
  "HCPCS_B",
  "HCPCS_C",
  "HCPCS_E",
  "HCPCS_G",
  "HCPCS_H",
  "HCPCS_J",
  "HCPCS_K",
  "HCPCS_L",
  "HCPCS_M",
  "HCPCS_P",
  "HCPCS_Q",
  "HCPCS_R",
  "HCPCS_S",
  "HCPCS_T",
  "HCPCS_U",
  "HCPCS_V",
  "OTHER",
] as const;

export type TCptGroupCode = (typeof CPT_GROUP_CODES)[number];

/**
 * The cpt_groups row of claim-level lines (an 835 claim adjudicated without service lines). Not
 * in CPT_GROUP_CODES: no procedure code maps to it, so mappings cannot name it.
 */
export const CLAIM_LEVEL_GROUP = "CLAIM_LEVEL";

const GROUP_SET: ReadonlySet<string> = new Set(CPT_GROUP_CODES);

// Category I ranges, inclusive, as 5-digit numbers. Order does not matter: they do not overlap.
const NUMERIC_RANGES: ReadonlyArray<readonly [number, number, TCptGroupCode]> = [
  [100, 1999, "ANESTHESIA"],
  [10004, 69990, "SURGERY"],
  [70010, 79999, "RADIOLOGY"],
  [80047, 89398, "PATHOLOGY_LAB"],
  [90281, 99199, "MEDICINE"],
  [99202, 99499, "EM"],
  [99500, 99607, "MEDICINE"],
];

/** True when `group` is one of the cpt_groups codes. */
export function isCptGroupCode(group: string): group is TCptGroupCode {
  return GROUP_SET.has(group);
}

/**
 * The default group of a code: 5 digits by Category I range, 4 digits + F / T for Category II /
 * III, a letter + 4 digits for HCPCS Level II (HCPCS_<letter> where that group exists). Anything
 * else, including codes in the gaps between ranges and PLA codes (4 digits + U), is OTHER.
 */
export function cptGroupFor(code: string): TCptGroupCode {
  const value = code.trim().toUpperCase();
  if (/^\d{5}$/.test(value)) {
    const n = Number(value);
    for (const [low, high, group] of NUMERIC_RANGES) {
      if (n >= low && n <= high) return group;
    }
    return "OTHER";
  }
  if (/^\d{4}F$/.test(value)) return "CATEGORY_II";
  if (/^\d{4}T$/.test(value)) return "CATEGORY_III";
  if (/^[A-Z]\d{4}$/.test(value)) {
    const group = `HCPCS_${value[0]}`;
    return isCptGroupCode(group) ? group : "OTHER";
  }
  return "OTHER";
}
