import { Suspense } from "react";
import { DriftExplorer } from "@/components/read-side/drift-explorer";
import { forPage } from "@/server/api/server-caller";

export default async function DriftEventsPage() {
  const me = await forPage((caller) => caller.customers.me());
  return (
    <Suspense>
      <DriftExplorer role={me.role} />
    </Suspense>
  );
}
