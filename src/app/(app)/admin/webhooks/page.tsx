import { WebhookDeliveryLog } from "@/components/alerts/webhook-delivery-log";
import { WebhookEndpointsAdmin } from "@/components/alerts/webhook-endpoints-admin";
import { forPage } from "@/server/api/server-caller";

export default async function WebhooksPage() {
  await forPage((caller) => caller.webhookEndpoints.list({ limit: 1 }));
  return (
    <>
      <h1>Webhooks</h1>
      <WebhookEndpointsAdmin />
      <h2>Delivery log</h2>
      <WebhookDeliveryLog />
    </>
  );
}
