/**
 * The demo tenants: how many claim lines each gets (a Pareto split) and what kind of practice
 * each is (payer mix, CPT mix, charge levels, the raw payer names its files use).
 */
import { CPT_CODES, PAYER_CATALOGUE, SEED_CPT_GROUPS, UNMAPPED_PAYER_NAMES, type TSeedCptGroup } from "./catalogue";
import { Random, allocateLargestRemainder, paretoExponent, zipfWeights } from "./random";

export interface TTenantProfile {
  /** Relative claim-line share of each catalogue payer (names from PAYER_CATALOGUE). */
  payerMix: Readonly<Record<string, number>>;
  /** Share of lines from the tenant's unmapped (tenant-private) payer. */
  privatePayerShare: number;
  /** Target share of claim lines per CPT group. */
  groupMix: Readonly<Record<TSeedCptGroup, number>>;
  /** Per payer, multipliers on the CPT group mix (who the payer's members are). */
  payerGroupTilt: Readonly<Record<string, Partial<Record<TSeedCptGroup, number>>>>;
  /** Chargemaster price = typical allowed x this multiplier (so billed >= allowed). */
  chargeMultiplier: number;
}

export interface TTenantPlan {
  index: number;
  /** Slug without prefix (what PLANTED_DRIFTS names) and the real slug. */
  baseSlug: string;
  slug: string;
  name: string;
  claimCount: number;
  profile: TTenantProfile;
  /** Raw names this tenant's files use for each catalogue payer (first one most often). */
  rawAliases: Readonly<Record<string, readonly string[]>>;
  /** The raw payer name no catalogue payer matches (it gets a tenant-private payer). */
  unmappedPayerName: string;
}

const NAMED_TENANTS = [
  { slug: "northwind-clinic", name: "Northwind Clinic" },
  { slug: "lakeside-health", name: "Lakeside Health" },
  { slug: "summit-ortho", name: "Summit Orthopedics" },
] as const;

/** Members of Medicare and Medicare Advantage plans are older: more medicine, wellness and drugs. */
const MEDICARE_TILT: Partial<Record<TSeedCptGroup, number>> = {
  MEDICINE: 1.4,
  HCPCS_G: 2.5,
  HCPCS_J: 1.3,
  PATHOLOGY_LAB: 1.1,
  EM: 0.95,
};
const COMMON_TILT: Readonly<Record<string, Partial<Record<TSeedCptGroup, number>>>> = {
  Medicare: MEDICARE_TILT,
  Humana: MEDICARE_TILT,
  Medicaid: { EM: 1.15, RADIOLOGY: 0.8, HCPCS_G: 0.3 },
};

const GENERAL_MIX: Record<TSeedCptGroup, number> = {
  EM: 0.36,
  PATHOLOGY_LAB: 0.2,
  MEDICINE: 0.16,
  RADIOLOGY: 0.12,
  SURGERY: 0.08,
  HCPCS_J: 0.04,
  HCPCS_G: 0.03,
  ANESTHESIA: 0.01,
};

const FIXED_PROFILES: readonly TTenantProfile[] = [
  // Northwind Clinic: a large multi-specialty group with an imaging centre; holds the planted drifts.
  {
    payerMix: {
      UnitedHealthcare: 21,
      Aetna: 16,
      Cigna: 15,
      "Blue Cross Blue Shield": 10,
      Humana: 12,
      Medicare: 10,
      Medicaid: 5,
      "Kaiser Permanente": 2,
      Anthem: 2,
      TRICARE: 1.5,
      "Oscar Health": 1.5,
      "Molina Healthcare": 1,
      Centene: 1,
    },
    privatePayerShare: 0.01,
    groupMix: { EM: 0.32, PATHOLOGY_LAB: 0.2, MEDICINE: 0.17, RADIOLOGY: 0.15, SURGERY: 0.08, HCPCS_J: 0.04, HCPCS_G: 0.03, ANESTHESIA: 0.01 },
    // Cigna's narrow network steers its members to Northwind's imaging centre.
    payerGroupTilt: { ...COMMON_TILT, Cigna: { RADIOLOGY: 1.3 } },
    chargeMultiplier: 2.4,
  },
  // Lakeside Health: primary care with an in-house lab; Blue Cross country.
  {
    payerMix: {
      "Blue Cross Blue Shield": 24,
      Medicare: 18,
      UnitedHealthcare: 14,
      Aetna: 10,
      Medicaid: 10,
      Humana: 8,
      Cigna: 6,
      Anthem: 4,
      "Kaiser Permanente": 2,
      "Molina Healthcare": 2,
      "Oscar Health": 2,
    },
    privatePayerShare: 0.015,
    groupMix: { EM: 0.44, PATHOLOGY_LAB: 0.26, MEDICINE: 0.14, RADIOLOGY: 0.05, SURGERY: 0.04, HCPCS_J: 0.03, HCPCS_G: 0.04, ANESTHESIA: 0 },
    payerGroupTilt: COMMON_TILT,
    chargeMultiplier: 2.2,
  },
  // Summit Orthopedics: surgery, imaging and physical therapy; a workers' comp fund in the tail.
  {
    payerMix: {
      UnitedHealthcare: 18,
      "Blue Cross Blue Shield": 16,
      Medicare: 16,
      Aetna: 14,
      Cigna: 10,
      Humana: 8,
      Anthem: 6,
      TRICARE: 4,
      Medicaid: 3,
    },
    privatePayerShare: 0.04,
    groupMix: { EM: 0.28, RADIOLOGY: 0.22, SURGERY: 0.2, MEDICINE: 0.2, HCPCS_J: 0.06, ANESTHESIA: 0.03, PATHOLOGY_LAB: 0.01, HCPCS_G: 0 },
    payerGroupTilt: COMMON_TILT,
    chargeMultiplier: 2.8,
  },
];

/** A generic practice for tenants past the named three: a few big payers, a long tail. */
function generatedProfile(rng: Random): TTenantProfile {
  const names = PAYER_CATALOGUE.map((p) => p.name);
  // Fisher–Yates shuffle: which payers are big differs from region to region.
  for (let i = names.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [names[i], names[j]] = [names[j] as string, names[i] as string];
  }
  const weights = zipfWeights(names.length, 1.2);
  const payerMix = Object.fromEntries(names.map((name, i) => [name, (weights[i] as number) * 100]));
  const groupMix = Object.fromEntries(SEED_CPT_GROUPS.map((group) => [group, GENERAL_MIX[group] * rng.logNormal(1, 0.35)])) as Record<TSeedCptGroup, number>;
  return {
    payerMix,
    privatePayerShare: 0.01 + rng.next() * 0.02,
    groupMix,
    payerGroupTilt: COMMON_TILT,
    chargeMultiplier: 2.2 + rng.next() * 0.8,
  };
}

/**
 * Claim lines per tenant. Rule: tenant of rank i (1 = biggest) gets a share proportional to
 * i^-a (Zipf, the rank-size form of a Pareto distribution), with `a` chosen by bisection so the
 * top ceil(20 % of n) tenants hold exactly 80 % before rounding; shares are rounded by the
 * largest-remainder method so the counts add up to `claims` exactly. One tenant gets everything.
 */
export function paretoAllocation(claims: number, tenants: number): number[] {
  if (!Number.isInteger(tenants) || tenants < 1) throw new Error("tenants must be a positive integer");
  return allocateLargestRemainder(claims, zipfWeights(tenants, paretoExponent(tenants, 0.2, 0.8)));
}

export function tenantSlug(index: number, slugPrefix?: string): { baseSlug: string; slug: string; name: string } {
  const named = NAMED_TENANTS[index];
  const baseSlug = named?.slug ?? `demo-clinic-${index + 1}`;
  const name = named?.name ?? `Demo Clinic ${index + 1}`;
  const slug = slugPrefix ? `${slugPrefix}-${baseSlug}` : baseSlug;
  if (!/^[a-z0-9][a-z0-9-]{1,62}$/.test(slug)) {
    throw new Error(`slug "${slug}" is not valid: lower-case letters, digits and dashes, at most 63 characters`);
  }
  return { baseSlug, slug, name };
}

export function planTenants(options: { tenants: number; claims: number; randomSeed: number; slugPrefix?: string }): TTenantPlan[] {
  const counts = paretoAllocation(options.claims, options.tenants);
  return counts.map((claimCount, index) => {
    const rng = new Random(options.randomSeed, `tenant:${index}:profile`);
    const profile = FIXED_PROFILES[index] ?? generatedProfile(rng);
    // Each tenant's files use one to three spellings per payer.
    const rawAliases = Object.fromEntries(
      PAYER_CATALOGUE.map((p) => {
        const start = rng.int(0, p.aliases.length - 1);
        const count = Math.min(p.aliases.length, rng.int(1, 3));
        return [p.name, Array.from({ length: count }, (_, k) => p.aliases[(start + k) % p.aliases.length] as string)];
      }),
    );
    return {
      index,
      ...tenantSlug(index, options.slugPrefix),
      claimCount,
      profile,
      rawAliases,
      unmappedPayerName: UNMAPPED_PAYER_NAMES[index % UNMAPPED_PAYER_NAMES.length] as string,
    };
  });
}

/** Codes of a group as [code entry, weight] pairs (for weighted tables). */
export function codeEntries(group: TSeedCptGroup) {
  return CPT_CODES[group].map((entry) => [entry, entry.weight] as const);
}
