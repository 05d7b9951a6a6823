import { redirect } from "next/navigation";
import { forPage } from "@/server/api/server-caller";
import { UnderpaymentWorklist } from "@/components/underpayments/underpayment-worklist";

/** The underpayment worklist and recovery ledger. ANALYST and up (claim ids with dates of service are PHI). */
export default async function UnderpaymentsPage() {
  const me = await forPage((caller) => caller.customers.me());
  if (me.role === "VIEWER") redirect("/forbidden");
  return (
    <>
      <h1>Underpayments</h1>
      <p className="muted">
        Claim lines the payer allowed below your contracted fee schedule by more than the larger of 1 % and $1. Lines without a contracted rate and denied lines
        never appear here. Appeal them, assign them, and watch them turn RECOVERED when the payer&apos;s corrected 835 pays the difference.
      </p>
      <UnderpaymentWorklist canChange />
    </>
  );
}
