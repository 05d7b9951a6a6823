/** Builds small X12 835 files for tests: one payer, claims with one service line each. */

export interface TTestClaim {
  id: string;
  /** CLP02: 1 processed as primary, 4 denied, 22 reversal. */
  status?: string;
  charge: number;
  paid: number;
  code?: string;
  /** SVC01-3..6 procedure modifiers, e.g. ["26", "LT"]. */
  modifiers?: string[];
  payerClaimNumber?: string;
  /** CAS triplets for the service line, e.g. [["CO", "45", 20]]. */
  adjustments?: [string, string, number][];
}

export function x12_835(claims: TTestClaim[], options: { payer?: string; control?: string } = {}): string {
  const control = options.control ?? String(Math.floor(Math.random() * 1e9)).padStart(9, "0");
  const body: string[] = [
    "ST*835*0001",
    "BPR*I*0*C*ACH*CCP*01*999999999*DA*123456*1512345678**01*999988880*DA*98765*20240503",
    "DTM*405*20240501",
    `N1*PR*${options.payer ?? "ACME HEALTH PLAN"}`,
    "LX*1",
  ];
  for (const claim of claims) {
    const sign = claim.status === "22" ? -1 : 1;
    body.push(`CLP*${claim.id}*${claim.status ?? "1"}*${sign * claim.charge}*${sign * claim.paid}*0*12*${claim.payerClaimNumber ?? `ICN-${claim.id}`}`);
    body.push("DTM*050*20240410");
    body.push(`SVC*HC:${[claim.code ?? "99213", ...(claim.modifiers ?? [])].join(":")}*${sign * claim.charge}*${sign * claim.paid}**${sign}`);
    body.push("DTM*472*20240408");
    for (const [group, reason, amount] of claim.adjustments ??
      (claim.charge > claim.paid ? [["CO", "45", claim.charge - claim.paid] as [string, string, number]] : [])) {
      body.push(`CAS*${group}*${reason}*${sign * amount}`);
    }
  }
  body.push(`SE*${body.length + 1}*0001`);
  const isa = `ISA*00*          *00*          *ZZ*PAYERSENDER    *ZZ*CLINICRECV     *240501*1000*^*00501*${control}*0*P*:`;
  return [isa, `GS*HP*PAYERSENDER*CLINICRECV*20240501*1000*1*X*005010X221A1`, ...body, "GE*1*1", `IEA*1*${control}`].join("~\n") + "~\n";
}
