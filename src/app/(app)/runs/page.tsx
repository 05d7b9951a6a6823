import { RunsView } from "@/components/read-side/runs-view";
import { forPage } from "@/server/api/server-caller";

export default async function RunsPage() {
  const me = await forPage((caller) => caller.customers.me());
  return <RunsView role={me.role} />;
}
