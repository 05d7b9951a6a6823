"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/trpc/react";

type TKind = "PAYER_SCORECARD" | "DRIFT_EVENTS" | "ALERTS";

/** Starts a CSV export job, shows its progress, then offers the download link. ANALYST and up. */
export function ExportButton({ kind, params, label = "Export CSV" }: { kind: TKind; params: Record<string, string | undefined>; label?: string }) {
  const trpc = useTRPC();
  const [exportId, setExportId] = useState<string | null>(null);
  const create = useMutation(trpc.exports.create.mutationOptions({ onSuccess: (created) => setExportId(created.id) }));
  const state = useQuery({
    ...trpc.exports.get.queryOptions({ id: exportId ?? "00000000-0000-0000-0000-000000000000" }),
    enabled: exportId !== null,
    refetchInterval: (q) => (q.state.data && (q.state.data.status === "SUCCEEDED" || q.state.data.status === "FAILED") ? false : 700),
  });
  const running = exportId !== null && (!state.data || state.data.status === "QUEUED" || state.data.status === "RUNNING");
  const clean = Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined && v !== "")) as Record<string, string>;

  return (
    <div className="toolbar">
      <button
        type="button"
        className="secondary"
        disabled={create.isPending || running}
        onClick={() => {
          setExportId(null);
          create.mutate({ kind, params: clean });
        }}
      >
        {label}
      </button>
      <span aria-live="polite">
        {create.isError && <span className="error">{create.error.message}</span>}
        {running && (
          <>
            <label className="sr-only" htmlFor={`export-progress-${kind}`}>
              Export progress
            </label>
            <progress id={`export-progress-${kind}`} className="progress" max={1} value={state.data?.progress ?? 0} /> Preparing…
          </>
        )}
        {state.data?.status === "SUCCEEDED" && state.data.downloadUrl && (
          <a href={state.data.downloadUrl} download>
            Download CSV ({state.data.rowCount} rows)
          </a>
        )}
        {state.data?.status === "FAILED" && <span className="error">Export failed: {state.data.error}</span>}
      </span>
    </div>
  );
}
