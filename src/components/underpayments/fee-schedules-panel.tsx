"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useRef, useState } from "react";
import { formatMoney } from "@/components/read-side/format";
import { useTRPC } from "@/trpc/react";

type TAnswer = {
  status: number;
  detail?: string;
  errors?: { path: string; message: string }[];
  feeSchedule?: { version: number; rowCount: number };
  supersededCount?: number;
  underpaymentsFound?: number;
};

async function sendSchedule(file: File): Promise<TAnswer> {
  const form = new FormData();
  form.append("file", file, file.name);
  try {
    const response = await fetch("/api/v1/fee-schedules", { method: "POST", body: form });
    return { status: response.status, ...((await response.json()) as Omit<TAnswer, "status">) };
  } catch {
    return { status: 0, detail: "The upload failed: check your connection and try again." };
  }
}

export function FeeSchedulesPanel({ canUpload }: { canUpload: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<"CURRENT" | "SUPERSEDED" | "">("");
  const [cursor, setCursor] = useState<string | undefined>(undefined);
  const rates = useQuery(trpc.feeSchedules.list.queryOptions({ limit: 50, cursor, ...(status ? { status } : {}) }));
  const [answer, setAnswer] = useState<TAnswer | null>(null);
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);

  async function upload(file: File | undefined) {
    if (!file) return;
    setBusy(true);
    setAnswer(null);
    const result = await sendSchedule(file);
    setBusy(false);
    setAnswer(result);
    if (input.current) input.current.value = "";
    setCursor(undefined);
    await queryClient.invalidateQueries({ queryKey: trpc.feeSchedules.list.queryKey() });
  }

  return (
    <div className="stack">
      {canUpload && (
        <div>
          <label>
            Upload a fee schedule CSV{" "}
            <input ref={input} type="file" accept=".csv,text/csv" disabled={busy} onChange={(event) => void upload(event.target.files?.[0])} />
          </label>
          {busy && <span className="muted"> Applying…</span>}
        </div>
      )}
      {answer && (
        <div role="status">
          {answer.status === 201 && answer.feeSchedule ? (
            <p>
              Version {answer.feeSchedule.version} applied: {answer.feeSchedule.rowCount} rates, {answer.supersededCount ?? 0} earlier rates superseded,{" "}
              {answer.underpaymentsFound ?? 0} underpaid claim lines found.
            </p>
          ) : (
            <div className="error">
              <p>{answer.detail ?? `Upload failed (HTTP ${answer.status}).`}</p>
              {answer.errors && answer.errors.length > 0 && (
                <ul aria-label="Row errors">
                  {answer.errors.slice(0, 50).map((error) => (
                    <li key={`${error.path}:${error.message}`}>
                      {error.path}: {error.message}
                    </li>
                  ))}
                </ul>
              )}
            </div>
          )}
        </div>
      )}
      <label>
        Show{" "}
        <select
          value={status}
          onChange={(event) => {
            setStatus(event.target.value as typeof status);
            setCursor(undefined);
          }}
        >
          <option value="">all rates, with history</option>
          <option value="CURRENT">current rates</option>
          <option value="SUPERSEDED">superseded rates</option>
        </select>
      </label>
      <table aria-label="Fee schedule rates">
        <thead>
          <tr>
            <th>Payer</th>
            <th>Code</th>
            <th>Modifier</th>
            <th>Rate</th>
            <th>From</th>
            <th>To</th>
            <th>Status</th>
            <th>Version</th>
            <th>File</th>
          </tr>
        </thead>
        <tbody>
          {rates.data?.items.map((rate) => (
            <tr key={rate.id}>
              <td>{rate.payer.name}</td>
              <td>{rate.cptCode}</td>
              <td>{rate.modifier ?? "—"}</td>
              <td>{formatMoney(rate.rate, true)}</td>
              <td>{rate.effectiveFrom}</td>
              <td>{rate.effectiveTo ?? "open"}</td>
              <td>{rate.status === "SUPERSEDED" ? `superseded by version ${rate.supersededBy?.version ?? "?"}` : "current"}</td>
              <td>{rate.feeSchedule.version}</td>
              <td>{rate.feeSchedule.filename}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {rates.data?.items.length === 0 && <p className="muted">No fee schedule yet: upload your contracted rates to see underpayments.</p>}
      {rates.data?.nextCursor && (
        <button type="button" onClick={() => setCursor(rates.data?.nextCursor ?? undefined)}>
          Next page
        </button>
      )}
    </div>
  );
}
