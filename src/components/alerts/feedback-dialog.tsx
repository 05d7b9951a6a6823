"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, type FormEvent } from "react";
import { useTRPC } from "@/trpc/react";

const VERDICTS = ["REAL", "NEEDS_FOLLOWUP", "NOISE"] as const;

export interface TExistingFeedback {
  verdict: (typeof VERDICTS)[number];
  reasonCodes: string[];
  recoveredAmount: string | null;
  recoveredOn: string | null;
  notes: string | null;
}

/** Feedback on one alert: the caller's own verdict, editable (sending again updates it). */
export function FeedbackDialog({ alertId, existing, onClose }: { alertId: string; existing: TExistingFeedback | null; onClose: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const ref = useRef<HTMLDialogElement>(null);
  const save = useMutation(
    trpc.alerts.feedback.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries({ queryKey: trpc.alerts.pathKey() });
        onClose();
      },
    }),
  );
  useEffect(() => {
    ref.current?.showModal();
  }, []);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => String(form.get(name) ?? "").trim();
    save.mutate({
      id: alertId,
      verdict: text("verdict") as (typeof VERDICTS)[number],
      reasonCodes: text("reasonCodes")
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
      recoveredAmount: text("recoveredAmount") || null,
      recoveredOn: text("recoveredOn") || null,
      notes: text("notes") || null,
    });
  }

  return (
    <dialog ref={ref} className="feedback" onClose={onClose} aria-label="Alert feedback">
      <form className="stack" onSubmit={onSubmit}>
        <h2>Feedback</h2>
        <label>
          Verdict
          <select name="verdict" defaultValue={existing?.verdict ?? "REAL"}>
            {VERDICTS.map((v) => (
              <option key={v} value={v}>
                {v === "NEEDS_FOLLOWUP" ? "Needs follow-up" : v === "REAL" ? "Real" : "Noise"}
              </option>
            ))}
          </select>
        </label>
        <label>
          Reason codes (comma-separated)
          <input name="reasonCodes" defaultValue={existing?.reasonCodes.join(", ") ?? ""} maxLength={400} />
        </label>
        <label>
          Recovered amount ($)
          <input name="recoveredAmount" inputMode="decimal" pattern="\d{1,10}(\.\d{1,2})?" defaultValue={existing?.recoveredAmount ?? ""} />
        </label>
        <label>
          Recovered on
          <input name="recoveredOn" type="date" defaultValue={existing?.recoveredOn ?? ""} />
        </label>
        <label>
          Notes (no patient details)
          <textarea name="notes" rows={3} maxLength={4000} defaultValue={existing?.notes ?? ""} />
        </label>
        {save.error && (
          <p role="alert" className="error">
            {save.error.message}
          </p>
        )}
        <div className="row">
          <button type="submit" disabled={save.isPending}>
            Save feedback
          </button>
          <button type="button" className="link-button" onClick={() => ref.current?.close()}>
            Cancel
          </button>
        </div>
        <p className="muted">
          Noise resolves the alert; two noise verdicts in 30 days suppress later alerts of the same rule, payer, CPT group and drift type.
        </p>
      </form>
    </dialog>
  );
}
