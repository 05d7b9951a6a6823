/**
 * X12 835 files of pathological shapes, for the linear-time test and `npm run bench:x12`: a
 * normal remittance with one odd segment inside a claim, or `n` ordinary claims. `n` is the size
 * of the odd part in characters (in claims for `ordinaryClaims`).
 */

export const PATHOLOGICAL_ISA = "ISA*00*          *00*          *ZZ*PAYERSENDER    *ZZ*CLINICRECV     *240315*1200*^*00501*000000101*0*P*:~";

/** A whole 835 with `payload` between a claim's received date and its service date. */
export function x12FileAround(payload: string): string {
  return [
    PATHOLOGICAL_ISA,
    "GS*HP*P*C*20240315*1200*101*X*005010X221A1~",
    "ST*835*0001~",
    "BPR*I*1*C*ACH*CCP*01*1*DA*1*1**01*1*DA*1*20240320~",
    "DTM*405*20240315~",
    "N1*PR*ACME~",
    "LX*1~",
    "CLP*C-1*1*100*80*0*12*ICN-1~",
    "DTM*050*20240301~",
    payload,
    "DTM*472*20240226~",
    "SE*11*0001~",
    "GE*1*101~",
    "IEA*1*000000101~",
  ].join("\n");
}

export const pathologicalX12 = {
  newlinesInSegment: (n: number) => x12FileAround(`SVC*HC:99213*100*80**1*${"\n".repeat(n)}x~`),
  longAmount: (n: number) => x12FileAround(`SVC*HC:99213*100*${"8".repeat(n)}x**1~`),
  longValidAmount: (n: number) => x12FileAround(`SVC*HC:99213*100*${"0".repeat(n)}80**1~`),
  blankSegments: (n: number) => x12FileAround(`SVC*HC:99213*100*80**1~${"~\r\n ".repeat(n)}`),
  manyElements: (n: number) => x12FileAround(`SVC*HC:99213*100*80**1${"*".repeat(n)}~`),
  ordinaryClaims: (n: number) =>
    x12FileAround(Array.from({ length: n }, (_, i) => `CLP*C-${i}*1*100*80*0*12*ICN-${i}~\nSVC*HC:99213*100*80**1~\nDTM*472*20240226~`).join("\n")),
};
