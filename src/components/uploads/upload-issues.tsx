"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/trpc/react";
import { describeX12Field } from "./describe-x12-field";

const PAGE_SIZE = 10;

const WORDING = {
  skipped: {
    title: "Skipped items",
    intro: "Values the payer's file holds that Driftline could not use. Each was left out; the rest of its claim and of the file still counts.",
    column: "What was skipped",
    reason: "Why",
  },
  warning: {
    title: "Warnings",
    intro: "Odd things in the file that did not stop anything from being applied. Worth a look if the figures seem off.",
    column: "Where",
    reason: "What we found",
  },
} as const;

/** One paged list of an upload's skipped items or warnings (GET /uploads/{id}/issues). */
export function UploadIssues({ uploadId, kind, count }: { uploadId: string; kind: "skipped" | "warning"; count: number }) {
  const trpc = useTRPC();
  const [page, setPage] = useState(1);
  const query = useQuery(trpc.uploads.issues.queryOptions({ id: uploadId, kind, page, limit: PAGE_SIZE }, { placeholderData: keepPreviousData }));
  const wording = WORDING[kind];
  const headingId = `upload-${kind}-heading`;
  if (count === 0) return null;
  const data = query.data;
  return (
    <section aria-labelledby={headingId} className="stack">
      <h3 id={headingId}>
        {wording.title} ({count.toLocaleString("en-US")})
      </h3>
      <p className="muted">{wording.intro} “Segment” is the segment&apos;s number counted from the top of the file (the ISA line is 1).</p>
      {query.isError && (
        <p role="alert" className="error">
          {query.error.message}
        </p>
      )}
      {data && (
        <>
          <table aria-label={wording.title} aria-busy={query.isFetching}>
            <thead>
              <tr>
                <th scope="col">Segment</th>
                <th scope="col">{wording.column}</th>
                <th scope="col">{wording.reason}</th>
              </tr>
            </thead>
            <tbody>
              {data.items.map((item) => {
                const field = describeX12Field(item.field);
                return (
                  <tr key={item.position}>
                    <td>{item.line}</td>
                    <td>
                      {field.what}
                      {field.code && (
                        <>
                          {" "}
                          <code className="muted">{field.code}</code>
                        </>
                      )}
                    </td>
                    <td>{sentence(item.message)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {data.totalPages > 1 && (
            <nav aria-label={`${wording.title} pages`} className="row">
              <button type="button" className="secondary" disabled={page <= 1} onClick={() => setPage((p) => p - 1)}>
                Previous page
              </button>
              <span>
                Page {data.page} of {data.totalPages}
              </span>
              <button type="button" className="secondary" disabled={page >= data.totalPages} onClick={() => setPage((p) => p + 1)}>
                Next page
              </button>
            </nav>
          )}
          {data.found > data.total && (
            <p className="muted">
              The file had {data.found.toLocaleString("en-US")}; the first {data.total.toLocaleString("en-US")} are listed.
            </p>
          )}
        </>
      )}
    </section>
  );
}

/** "svc05: units must be…" reads better as a sentence. */
function sentence(message: string): string {
  const text = message.charAt(0).toUpperCase() + message.slice(1);
  return /[.!?]$/.test(text) ? text : `${text}.`;
}
