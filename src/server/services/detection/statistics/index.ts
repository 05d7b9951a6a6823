// Pure statistics for drift detection: no database, no I/O, deterministic. Services pass in
// counts and samples aggregated by Postgres and get back test statistics, p-values,
// confidence intervals and BH q-values.
export { normalCdf, normalQuantile, twoSidedNormalP, logFactorial } from "./distributions";
export { twoProportionZTest, fisherExactTest, agrestiCaffoInterval } from "./proportions";
export type { ZTestResult } from "./proportions";
export { mannWhitneyFromRankSum, mannWhitneyU, median, rankSumOfTieGroups } from "./location";
export type { MannWhitneyResult, RankSumSummary } from "./location";
export { benjaminiHochberg } from "./multiple-testing";
