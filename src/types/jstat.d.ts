// jstat ships no type declarations and there is no @types/jstat package, so this declares
// only the members the detection statistics use. jstat's CommonJS export is the jStat object
// itself, which is why it is the default export here.
declare module "jstat" {
  interface JStatStatic {
    normal: {
      cdf(x: number, mean: number, std: number): number;
      inv(p: number, mean: number, std: number): number;
    };
    /** Regularised incomplete beta function I_x(a, b). */
    ibeta(x: number, a: number, b: number): number;
    /** ln(n!) computed as ln Γ(n + 1). */
    factorialln(n: number): number;
  }
  const jStat: JStatStatic;
  export default jStat;
}
