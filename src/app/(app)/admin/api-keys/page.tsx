import { ApiKeysAdmin } from "@/components/api-keys-admin";
import { forPage } from "@/server/api/server-caller";

export default async function ApiKeysPage() {
  await forPage((caller) => caller.apiKeys.list({ limit: 1 }));
  return (
    <>
      <h1>API keys</h1>
      <ApiKeysAdmin />
    </>
  );
}
