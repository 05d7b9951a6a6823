"use client";

import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/trpc/react";
import { UploadIssues } from "./upload-issues";

function plural(count: number, one: string, many: string): string {
  return `${count.toLocaleString("en-US")} ${count === 1 ? one : many}`;
}

/** "12 lines applied, 3 items skipped, 1 warning": what an upload did, in one sentence. */
export function uploadOutcome(upload: { appliedCount: number; skippedCount: number; warningCount: number; errorCount: number; status: string }): string {
  if (upload.status === "REJECTED") return `nothing applied, ${plural(upload.errorCount, "error", "errors")}`;
  return `${plural(upload.appliedCount, "line", "lines")} applied, ${plural(upload.skippedCount, "item", "items")} skipped, ${plural(upload.warningCount, "warning", "warnings")}`;
}

/**
 * One upload as a billing clerk needs it: what was applied, and in plain words what was skipped
 * and why, and what looked odd; shown after an upload and when the upload is opened again.
 */
export function UploadDetails({ uploadId }: { uploadId: string }) {
  const trpc = useTRPC();
  const query = useQuery(trpc.uploads.get.queryOptions({ id: uploadId }));
  const upload = query.data;
  if (query.isError)
    return (
      <p role="alert" className="error">
        This upload could not be loaded: {query.error.message}
      </p>
    );
  if (!upload)
    return (
      <p className="muted" aria-busy="true">
        Loading the upload…
      </p>
    );
  return (
    <section aria-labelledby="upload-details-heading" className="stack">
      <h2 id="upload-details-heading">{upload.filename}</h2>
      <p data-testid="upload-outcome">
        {upload.status === "REJECTED" ? "Rejected" : upload.status === "APPLIED" ? "Applied" : "Processing"} on {upload.createdAt.toLocaleString()}:{" "}
        <strong>{uploadOutcome(upload)}</strong>.
      </p>
      {upload.status === "APPLIED" && upload.skippedCount + upload.warningCount === 0 && <p className="muted">Everything in the file was used.</p>}
      {upload.errors.length > 0 && (
        <>
          <h3>Why nothing was applied {upload.errorCount > upload.errors.length ? `(first ${upload.errors.length} of ${upload.errorCount})` : ""}</h3>
          <table aria-label="Row errors">
            <thead>
              <tr>
                <th scope="col">Line</th>
                <th scope="col">Field</th>
                <th scope="col">Problem</th>
              </tr>
            </thead>
            <tbody>
              {upload.errors.map((error, index) => (
                <tr key={`${error.line}-${error.field}-${index}`}>
                  <td>{error.line}</td>
                  <td>
                    <code>{error.field}</code>
                  </td>
                  <td>{error.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      <UploadIssues key={`${uploadId}-skipped`} uploadId={uploadId} kind="skipped" count={upload.skippedCount} />
      <UploadIssues key={`${uploadId}-warning`} uploadId={uploadId} kind="warning" count={upload.warningCount} />
    </section>
  );
}
