import { forPage } from "@/server/api/server-caller";

export default async function OverviewPage() {
  const [me, settings] = await forPage((caller) => Promise.all([caller.customers.me(), caller.settings.get()]));
  return (
    <>
      <h1>{me.customer.name}</h1>
      <p className="muted">
        Drift detection compares the last {settings.currentDays} days with the {settings.baselineDays} days before, per payer
        and procedure group, at a false discovery rate of {settings.fdrQ * 100} %.
      </p>
    </>
  );
}
