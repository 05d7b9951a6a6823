import type { TTx } from "@/server/db/client";
import { evaluateDriftEvents } from "@/server/services/alerts/evaluate-drift-events";
import type { TDriftType } from "./measure-cell-drift";

/**
 * The hook point between detection and alerting. A run calls it once, inside its transaction,
 * after it has upserted and resolved the tenant's drift events and while it holds the locks on
 * the Customer row and the events (lock order: Customer -> DriftEvent -> AlertRule -> AlertEvent
 * -> WebhookDelivery — an implementation may lock alert rules and onwards, never backwards).
 * Whatever it writes (alert events, outbox rows) commits or rolls back with the run.
 * It must not make network calls: webhooks go to the outbox and are sent after commit.
 *
 * Alert evaluation (src/server/services/alerts/evaluate-drift-events.ts) is the implementation.
 */
export interface TDriftEventChange {
  id: string;
  kind: "OPENED" | "UPDATED" | "RESOLVED";
  customerId: string;
  payerId: string;
  cptGroup: string;
  driftType: TDriftType;
}

export type TDriftEventsChangedHook = (tx: TTx, changes: readonly TDriftEventChange[]) => Promise<void>;

export const onDriftEventsChanged: TDriftEventsChangedHook = async (tx, changes) => void (await evaluateDriftEvents(tx, changes));
