import { forPage } from "@/server/api/server-caller";
import { FeeSchedulesPanel } from "@/components/underpayments/fee-schedules-panel";

/** Contracted fee schedules: upload (ANALYST and up) and the rates with their history. */
export default async function FeeSchedulesPage() {
  const me = await forPage((caller) => caller.customers.me());
  return (
    <>
      <h1>Fee schedules</h1>
      <p className="muted">
        Your contracted rate per unit for each payer and CPT/HCPCS code (optionally a modifier), with the dates it applies to. Driftline computes the expected
        payment of every claim line as rate × units on its service date and lists the lines allowed below it on the <a href="/underpayments">underpayments</a>{" "}
        page. A CSV with the columns payerName, cptCode, modifier, rate, effectiveFrom, effectiveTo is applied whole or not at all; a newer upload whose dates
        overlap an earlier rate supersedes it there, and the earlier rate stays listed as history.
      </p>
      <FeeSchedulesPanel canUpload={me.role !== "VIEWER"} />
    </>
  );
}
