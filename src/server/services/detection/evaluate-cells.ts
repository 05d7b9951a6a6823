import type { TCell } from "./assemble-cells";
import { benjaminiHochberg } from "./statistics";
import {
  testDecisionTime,
  testDenialRate,
  testDenialReasons,
  testPaymentAmount,
  testUnderpayment,
  type TCellTest,
  type TDetectionSettings,
  type TDriftType,
} from "./measure-cell-drift";

/**
 * Decides a run: minimum samples, the four tests, Benjamini–Hochberg over every test of the
 * run, and the events — tests that are significant at q <= fdrQ AND pass their practical gate.
 * Pure: same cells and settings, same answer.
 *
 * - A cell is tested only when both windows hold >= minSample decided lines; smaller cells are
 *   skipped and counted, never guessed. PAYMENT_AMOUNT additionally needs >= minSample
 *   allowed-per-unit ratios in both windows.
 * - DENIAL_REASON runs one test per CARC seen among the current denials; the database allows one
 *   active event per (payer, group, type), so a cell keeps its most significant qualifying CARC.
 * - UNDERPAYMENT needs >= minSample contracted lines (a fee schedule rate applies) in both windows.
 * - `evaluated` lists the (cell, type) pairs the run could judge: an active event there that is
 *   no longer found gets resolved; events of skipped cells stay as they are.
 */

export type TFinding = TCellTest & { qValue: number };

export interface TEvaluation {
  cellsTotal: number;
  cellsTested: number;
  cellsSkipped: number;
  tests: number;
  testsByType: Record<TDriftType, number>;
  findings: TFinding[];
  evaluated: Set<string>;
}

export const eventKey = (payerId: string, cptGroup: string, driftType: TDriftType) => `${payerId}|${cptGroup}|${driftType}`;

export function evaluateCells(cells: readonly TCell[], settings: TDetectionSettings): TEvaluation {
  const tests: TCellTest[] = [];
  const evaluated = new Set<string>();
  let cellsTested = 0;
  for (const cell of cells) {
    if (cell.baseline.lines < settings.minSample || cell.current.lines < settings.minSample) continue;
    cellsTested += 1;
    tests.push(testDenialRate(cell, settings), testDecisionTime(cell, settings), ...testDenialReasons(cell, settings));
    evaluated.add(eventKey(cell.payerId, cell.cptGroup, "DENIAL_RATE"));
    evaluated.add(eventKey(cell.payerId, cell.cptGroup, "DECISION_TIME"));
    evaluated.add(eventKey(cell.payerId, cell.cptGroup, "DENIAL_REASON"));
    const payment = testPaymentAmount(cell, settings);
    if (payment) {
      tests.push(payment);
      evaluated.add(eventKey(cell.payerId, cell.cptGroup, "PAYMENT_AMOUNT"));
    }
    const underpayment = testUnderpayment(cell, settings);
    if (underpayment) {
      tests.push(underpayment);
      evaluated.add(eventKey(cell.payerId, cell.cptGroup, "UNDERPAYMENT"));
    }
  }

  const qValues = benjaminiHochberg(tests.map((t) => t.pValue));
  const best = new Map<string, TFinding>();
  tests.forEach((test, i) => {
    // q >= p always; max() guards the last ulp so the database CHECK (q >= p) holds.
    const qValue = Math.max(test.pValue, qValues[i]!);
    if (!(qValue <= settings.fdrQ && test.gatePassed)) return;
    const key = eventKey(test.payerId, test.cptGroup, test.driftType);
    const previous = best.get(key);
    if (!previous || test.pValue < previous.pValue || (test.pValue === previous.pValue && test.delta > previous.delta)) {
      best.set(key, { ...test, qValue });
    }
  });

  const testsByType: Record<TDriftType, number> = { DENIAL_RATE: 0, PAYMENT_AMOUNT: 0, DECISION_TIME: 0, DENIAL_REASON: 0, UNDERPAYMENT: 0 };
  for (const test of tests) testsByType[test.driftType] += 1;
  return {
    cellsTotal: cells.length,
    cellsTested,
    cellsSkipped: cells.length - cellsTested,
    tests: tests.length,
    testsByType,
    findings: [...best.values()],
    evaluated,
  };
}
