import { notFound } from "next/navigation";
import { DriftDetail } from "@/components/read-side/drift-detail";
import { forPage } from "@/server/api/server-caller";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export default async function DriftEventPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  if (!UUID.test(id)) notFound();
  const [event, alerts] = await forPage((caller) =>
    Promise.all([caller.driftEvents.get({ id }), caller.alerts.list({ driftEventId: id, page: 1, pageSize: 20 })]),
  );
  return <DriftDetail event={event} alerts={alerts.items} alertsTotal={alerts.total ?? alerts.items.length} />;
}
