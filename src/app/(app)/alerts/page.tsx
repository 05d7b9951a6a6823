import { AlertsBoard } from "@/components/alerts/alerts-board";
import { forPage } from "@/server/api/server-caller";

export default async function AlertsPage() {
  const me = await forPage((caller) => caller.customers.me());
  const canAct = me.role !== "VIEWER";
  return (
    <>
      <h1>Alerts</h1>
      {!canAct && <p className="muted">Read-only: acknowledging and feedback need the ANALYST role.</p>}
      <AlertsBoard canAct={canAct} userEmail={me.caller.kind === "user" ? me.caller.label : null} />
    </>
  );
}
