import { AlertRulesAdmin } from "@/components/alerts/alert-rules-admin";
import { forPage } from "@/server/api/server-caller";

export default async function AlertRulesPage() {
  // The admin-only list doubles as the role check: a lower role lands on the 403 page.
  await forPage((caller) => caller.webhookEndpoints.list({ limit: 1 }));
  return (
    <>
      <h1>Alert rules</h1>
      <AlertRulesAdmin />
    </>
  );
}
