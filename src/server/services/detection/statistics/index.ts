// Pure statistics for drift detection: no database, no I/O, deterministic. Services pass in
// counts and samples aggregated by Postgres and get back test statistics, p-values,
// confidence intervals and BH q-values.
export {
  normalCdf,
  normalQuantile,
  twoSidedNormalP,
  twoSidedStudentTP,
  logFactorial,
} from "./distributions";
export { twoProportionZTest, fisherExactTest, agrestiCaffoInterval } from "./proportions";
export type { ZTestResult } from "./proportions";
export { mannWhitneyU, welchTTest, median } from "./location";
export type { MannWhitneyResult, WelchResult } from "./location";
export { benjaminiHochberg } from "./multiple-testing";
