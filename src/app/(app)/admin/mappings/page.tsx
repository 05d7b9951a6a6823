import { redirect } from "next/navigation";
import { forPage } from "@/server/api/server-caller";
import { MappingsAdmin } from "./mappings-admin";

/** Payer name and CPT group mappings. ADMIN only. */
export default async function MappingsPage() {
  const me = await forPage((caller) => caller.customers.me());
  if (me.role !== "ADMIN") redirect("/forbidden");
  return (
    <>
      <h1>Mappings</h1>
      <MappingsAdmin />
    </>
  );
}
