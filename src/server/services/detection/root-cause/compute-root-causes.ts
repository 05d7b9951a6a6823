import type { TDb } from "@/server/db/client";
import type { TWindows } from "../compute-windows";
import { eventKey, type TFinding } from "../evaluate-cells";
import { explainDrift } from "./explain-drift";
import { queryRootCauseAggregates } from "./query-root-cause-aggregates";
import type { TRootCause } from "./root-cause-shape";

/**
 * The root cause of each finding of a run, keyed like the events (eventKey): one aggregate query
 * over the findings' cells only, then the pure explanation. Runs before the write transaction,
 * so no lock is held while Postgres reads the lines; a run without findings costs nothing.
 */
export async function computeRootCauses(client: TDb, customerId: string, windows: TWindows, findings: readonly TFinding[]): Promise<Map<string, TRootCause>> {
  const keyed = findings.map((f) => ({ finding: f, key: eventKey(f.payerId, f.cptGroup, f.driftType) }));
  const aggregates = await queryRootCauseAggregates(
    client,
    customerId,
    windows,
    keyed.map(({ finding, key }) => ({
      key,
      payerId: finding.payerId,
      cptGroup: finding.cptGroup,
      driftType: finding.driftType,
      denialReason: finding.denialReason,
    })),
  );
  const causes = new Map<string, TRootCause>();
  for (const { finding, key } of keyed) {
    const data = aggregates.get(key);
    if (data) causes.set(key, explainDrift({ driftType: finding.driftType, direction: finding.direction, denialReason: finding.denialReason, windows }, data));
  }
  return causes;
}
