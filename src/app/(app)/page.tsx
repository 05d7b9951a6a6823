import { DashboardView } from "@/components/read-side/dashboard-view";
import { forPage } from "@/server/api/server-caller";

/** The dashboard. Prefetched on the server so the first paint has the figures. */
export default async function DashboardPage() {
  const [me, dashboard] = await forPage((caller) => Promise.all([caller.customers.me(), caller.dashboard.get()]));
  return <DashboardView initial={dashboard} customerName={me.customer.name} />;
}
