import type { TCountRow, TPaymentRow } from "./query-cell-metrics";
import type { TUnderpaymentRow } from "./query-underpayment-metrics";

/** One (payer, CPT group) cell's aggregates per window, assembled from the metric rows. */
export interface TWindowCounts {
  lines: number;
  denied: number;
  allowedSum: number;
  allowedCount: number;
  /** Denials per CARC ("CO-197"). */
  carcs: Map<string, number>;
  /** Lines per whole day from submission to decision. */
  lags: Map<number, number>;
}

/** UNDERPAYMENT: the cell's contracted lines in one window (see query-underpayment-metrics.ts). */
export interface TUnderpaymentWindow {
  lines: number;
  underpaid: number;
  varianceSum: number;
  varianceSumSq: number;
}

export interface TCell {
  key: string;
  payerId: string;
  cptGroup: string;
  baseline: TWindowCounts;
  current: TWindowCounts;
  payment: TPaymentRow | null;
  underpayment: { baseline: TUnderpaymentWindow; current: TUnderpaymentWindow } | null;
}

const emptyWindow = (): TWindowCounts => ({ lines: 0, denied: 0, allowedSum: 0, allowedCount: 0, carcs: new Map(), lags: new Map() });

export const cellKey = (payerId: string, cptGroup: string) => `${payerId}|${cptGroup}`;

const emptyUnderpayment = (): TUnderpaymentWindow => ({ lines: 0, underpaid: 0, varianceSum: 0, varianceSumSq: 0 });

export function assembleCells(counts: readonly TCountRow[], payments: readonly TPaymentRow[], underpayments: readonly TUnderpaymentRow[] = []): TCell[] {
  const cells = new Map<string, TCell>();
  const cellOf = (payerId: string, cptGroup: string): TCell => {
    const key = cellKey(payerId, cptGroup);
    let cell = cells.get(key);
    if (!cell) {
      cell = { key, payerId, cptGroup, baseline: emptyWindow(), current: emptyWindow(), payment: null, underpayment: null };
      cells.set(key, cell);
    }
    return cell;
  };
  for (const row of counts) {
    const window = row.current ? cellOf(row.payerId, row.cptGroup).current : cellOf(row.payerId, row.cptGroup).baseline;
    if (row.kind === "CELL") {
      window.lines = Number(row.lines);
      window.denied = Number(row.denied);
      window.allowedSum = Number(row.allowedSum);
      window.allowedCount = Number(row.allowedCount);
    } else if (row.kind === "CARC" && row.carc !== null && Number(row.denied) > 0) {
      window.carcs.set(row.carc, Number(row.denied));
    } else if (row.kind === "LAG" && row.lagDays !== null) {
      window.lags.set(Number(row.lagDays), Number(row.lines));
    }
  }
  for (const payment of payments) cellOf(payment.payerId, payment.cptGroup).payment = payment;
  for (const row of underpayments) {
    const cell = cellOf(row.payerId, row.cptGroup);
    cell.underpayment ??= { baseline: emptyUnderpayment(), current: emptyUnderpayment() };
    cell.underpayment[row.current ? "current" : "baseline"] = {
      lines: Number(row.lines),
      underpaid: Number(row.underpaid),
      varianceSum: Number(row.varianceSum),
      varianceSumSq: Number(row.varianceSumSq),
    };
  }
  // Stable order (payer, group) so runs over the same data produce the same test list.
  return [...cells.values()].sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
}
