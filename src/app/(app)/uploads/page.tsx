import { redirect } from "next/navigation";
import { forPage } from "@/server/api/server-caller";
import { UploadPanel } from "./upload-panel";

/** Upload claims (CSV or X12 835), see what was applied, skipped and warned about, and the upload history. ANALYST and up. */
export default async function UploadsPage() {
  const me = await forPage((caller) => caller.customers.me());
  if (me.role === "VIEWER") redirect("/forbidden");
  return (
    <>
      <h1>Uploads</h1>
      <p className="muted">
        CSV with the documented columns (
        <a href="/api/v1/uploads/template.csv" download>
          download the template
        </a>
        ) or an X12 835 remittance file. A CSV is applied whole or not at all. An 835 comes from your payer, so it is applied with everything that can be used;
        what cannot is listed below as skipped items, with the reason, and anything odd as a warning. The same file twice is one upload.
      </p>
      <UploadPanel />
    </>
  );
}
