"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useRef, useState, type DragEvent } from "react";
import { useTRPC } from "@/trpc/react";

type TRowError = { line: number; field: string; message: string };
type TUploadAnswer = {
  status: number;
  upload?: { id: string; filename: string; status: string; rowCount: number; appliedCount: number; errorCount: number; errors: TRowError[] };
  replayed?: boolean;
  detail?: string;
};

/** Sends the file with XHR (fetch cannot report upload progress) to POST /api/v1/uploads. */
function sendFile(file: File, onProgress: (fraction: number) => void): Promise<TUploadAnswer> {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/v1/uploads");
    xhr.upload.onprogress = (event) => event.lengthComputable && onProgress(event.loaded / event.total);
    xhr.onload = () => {
      let body: Omit<TUploadAnswer, "status"> = {};
      try {
        body = JSON.parse(xhr.responseText) as Omit<TUploadAnswer, "status">;
      } catch {
        body = { detail: "The server answered something unexpected." };
      }
      resolve({ status: xhr.status, ...body });
    };
    xhr.onerror = () => resolve({ status: 0, detail: "The upload failed: check your connection and try again." });
    const form = new FormData();
    form.append("file", file, file.name);
    xhr.send(form);
  });
}

export function UploadPanel() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const history = useQuery(trpc.uploads.list.queryOptions({ limit: 20 }));
  const stats = useQuery(trpc.uploads.stats.queryOptions());
  const [progress, setProgress] = useState<number | null>(null);
  const [answer, setAnswer] = useState<TUploadAnswer | null>(null);
  const [dragging, setDragging] = useState(false);
  const input = useRef<HTMLInputElement>(null);

  async function upload(file: File | undefined) {
    if (!file) return;
    setAnswer(null);
    setProgress(0);
    const result = await sendFile(file, setProgress);
    setProgress(null);
    setAnswer(result);
    await Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.uploads.list.queryKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.uploads.stats.queryKey() }),
    ]);
  }

  function onDrop(event: DragEvent<HTMLDivElement>) {
    event.preventDefault();
    setDragging(false);
    void upload(event.dataTransfer.files[0]);
  }

  const errors = answer?.upload?.errors ?? [];
  return (
    <div className="stack">
      <div
        role="button"
        tabIndex={0}
        aria-label="Drop a CSV or 835 file here, or choose one"
        onClick={() => input.current?.click()}
        onKeyDown={(event) => (event.key === "Enter" || event.key === " ") && input.current?.click()}
        onDragOver={(event) => {
          event.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
        style={{ border: `2px dashed ${dragging ? "var(--accent)" : "var(--border)"}`, borderRadius: 8, padding: 32, textAlign: "center", background: "#fff", cursor: "pointer" }}
      >
        Drop a CSV or X12 835 file here, or click to choose one.
        <input ref={input} type="file" accept=".csv,.835,.txt,.edi,.x12,text/csv" hidden onChange={(event) => void upload(event.target.files?.[0] ?? undefined)} />
      </div>
      {progress !== null && (
        <div>
          <progress value={progress} max={1} style={{ width: "100%" }} aria-label="Upload progress" />
          <span className="muted">{progress < 1 ? `Uploading… ${Math.round(progress * 100)} %` : "Applying…"}</span>
        </div>
      )}
      {answer && (
        <div role="status">
          {answer.upload ? (
            <p className={answer.upload.status === "REJECTED" ? "error" : undefined}>
              {answer.upload.filename}: {answer.upload.status}
              {answer.replayed ? " (this file was uploaded before; nothing applied again)" : ""} — {answer.upload.rowCount} rows,{" "}
              {answer.upload.appliedCount} lines applied, {answer.upload.errorCount} errors.
            </p>
          ) : (
            <p className="error">{answer.detail ?? `Upload failed (HTTP ${answer.status}).`}</p>
          )}
        </div>
      )}
      {errors.length > 0 && (
        <>
          <h2>Row errors {answer?.upload && answer.upload.errorCount > errors.length ? `(first ${errors.length} of ${answer.upload.errorCount})` : ""}</h2>
          <table aria-label="Row errors">
            <thead><tr><th>Line</th><th>Field</th><th>Problem</th></tr></thead>
            <tbody>
              {errors.map((error, index) => (
                <tr key={`${error.line}-${error.field}-${index}`}><td>{error.line}</td><td><code>{error.field}</code></td><td>{error.message}</td></tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      <h2>History</h2>
      {stats.data && (
        <p className="muted">
          {stats.data.uploads} uploads ({stats.data.applied} applied, {stats.data.rejected} rejected) · {stats.data.rows} rows read ·{" "}
          {stats.data.rowErrors} row errors · {stats.data.claimLines} claim lines stored
        </p>
      )}
      <table aria-label="Upload history">
        <thead><tr><th>When</th><th>File</th><th>Format</th><th>Status</th><th>Rows</th><th>Applied</th><th>Errors</th></tr></thead>
        <tbody>
          {history.data?.items.map((upload) => (
            <tr key={upload.id}>
              <td>{upload.createdAt.toLocaleString()}</td>
              <td>{upload.filename}</td>
              <td>{upload.format}</td>
              <td>{upload.status}</td>
              <td>{upload.rowCount}</td>
              <td>{upload.appliedCount}</td>
              <td>{upload.errorCount}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {history.data?.items.length === 0 && <p className="muted">No uploads yet.</p>}
    </div>
  );
}
