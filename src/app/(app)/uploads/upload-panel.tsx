"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useRef, useState, type DragEvent } from "react";
import { UploadDetails, uploadOutcome } from "@/components/uploads/upload-details";
import { useTRPC } from "@/trpc/react";

type TUploadAnswer = {
  status: number;
  upload?: {
    id: string;
    filename: string;
    status: string;
    rowCount: number;
    appliedCount: number;
    errorCount: number;
    skippedCount?: number;
    warningCount?: number;
  };
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
  const router = useRouter();
  const pathname = usePathname();
  const search = useSearchParams();
  // The upload on show lives in the URL, so it is there again on a revisit or a reload.
  const selected = search.get("upload");
  const show = (id: string) => router.replace(`${pathname}?upload=${encodeURIComponent(id)}`, { scroll: false });

  async function upload(file: File | undefined) {
    if (!file) return;
    setAnswer(null);
    setProgress(0);
    const result = await sendFile(file, setProgress);
    setProgress(null);
    setAnswer(result);
    if (result.upload) show(result.upload.id);
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
        style={{
          border: `2px dashed ${dragging ? "var(--accent)" : "var(--border)"}`,
          borderRadius: 8,
          padding: 32,
          textAlign: "center",
          background: "#fff",
          cursor: "pointer",
        }}
      >
        Drop a CSV or X12 835 file here, or click to choose one.
        <input
          ref={input}
          type="file"
          accept=".csv,.835,.txt,.edi,.x12,text/csv"
          hidden
          onChange={(event) => void upload(event.target.files?.[0] ?? undefined)}
        />
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
              {uploadOutcome({ skippedCount: 0, warningCount: 0, ...answer.upload })}.
            </p>
          ) : (
            <p className="error">{answer.detail ?? `Upload failed (HTTP ${answer.status}).`}</p>
          )}
        </div>
      )}
      {selected && <UploadDetails key={selected} uploadId={selected} />}
      <h2>History</h2>
      {stats.data && (
        <p className="muted">
          {stats.data.uploads} uploads ({stats.data.applied} applied, {stats.data.rejected} rejected) · {stats.data.rows} rows read · {stats.data.rowErrors} row
          errors · {stats.data.claimLines} claim lines stored
        </p>
      )}
      <table aria-label="Upload history">
        <thead>
          <tr>
            <th>When</th>
            <th>File</th>
            <th>Format</th>
            <th>Status</th>
            <th>Rows</th>
            <th>Applied</th>
            <th>Skipped</th>
            <th>Warnings</th>
            <th>Errors</th>
          </tr>
        </thead>
        <tbody>
          {history.data?.items.map((upload) => (
            <tr key={upload.id}>
              <td>{upload.createdAt.toLocaleString()}</td>
              <td>
                <Link href={`${pathname}?upload=${encodeURIComponent(upload.id)}`} scroll={false} aria-current={upload.id === selected ? "true" : undefined}>
                  {upload.filename}
                </Link>
              </td>
              <td>{upload.format}</td>
              <td>{upload.status}</td>
              <td>{upload.rowCount}</td>
              <td>{upload.appliedCount}</td>
              <td>{upload.skippedCount}</td>
              <td>{upload.warningCount}</td>
              <td>{upload.errorCount}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {history.data?.items.length === 0 && <p className="muted">No uploads yet.</p>}
    </div>
  );
}
