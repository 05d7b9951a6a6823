"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTRPC } from "@/trpc/react";
import "./alerts.css";

const DRIFT_TYPES = ["DENIAL_RATE", "PAYMENT_AMOUNT", "DECISION_TIME", "DENIAL_REASON", "UNDERPAYMENT"] as const;
type TDriftType = (typeof DRIFT_TYPES)[number];

/** ADMIN: create, edit, enable/disable and delete alert rules. */
export function AlertRulesAdmin() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const rules = useQuery(trpc.alertRules.list.queryOptions({ limit: 100 }));
  const payers = useQuery(trpc.catalogues.payers.queryOptions({ limit: 100 }));
  const groups = useQuery(trpc.catalogues.cptGroups.queryOptions());
  const endpoints = useQuery(trpc.webhookEndpoints.list.queryOptions({ limit: 100 }));
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.alertRules.pathKey() });
  const create = useMutation(trpc.alertRules.create.mutationOptions({ onSuccess: refresh }));
  const update = useMutation(trpc.alertRules.update.mutationOptions({ onSuccess: refresh }));
  const remove = useMutation(trpc.alertRules.delete.mutationOptions({ onSuccess: refresh }));
  const [editing, setEditing] = useState<string | null>(null);
  const current = rules.data?.items.find((r) => r.id === editing) ?? null;
  const error = create.error ?? update.error ?? remove.error;

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => String(form.get(name) ?? "").trim();
    const number = (name: string) => (text(name) === "" ? null : Number(text(name)));
    const fields = {
      name: text("name"),
      enabled: form.get("enabled") === "on",
      payerId: text("payerId") || null,
      cptGroup: text("cptGroup") || null,
      driftTypes: form.getAll("driftTypes").map(String) as TDriftType[],
      minSeverity: number("minSeverity"),
      minAbsDelta: number("minAbsDelta"),
      minRevenueImpact: text("minRevenueImpact") || null,
      maxQValue: number("maxQValue"),
      cooldownMinutes: Number(text("cooldownMinutes") || 240),
      notifyInApp: form.get("notifyInApp") === "on",
      emailRecipients: text("emailRecipients")
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
      endpointIds: form.getAll("endpointIds").map(String),
    };
    if (current) update.mutate({ id: current.id, ...fields }, { onSuccess: () => setEditing(null) });
    else create.mutate(fields, { onSuccess: () => event.currentTarget?.reset() });
  }

  return (
    <div className="stack">
      <form key={editing ?? "new"} className="grid-form" onSubmit={onSubmit} aria-label={current ? "Edit alert rule" : "Create an alert rule"}>
        <label className="wide">
          Name
          <input name="name" required maxLength={120} defaultValue={current?.name ?? ""} />
        </label>
        <label>
          Payer
          <select name="payerId" defaultValue={current?.payerId ?? ""}>
            <option value="">Any payer</option>
            {payers.data?.items.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          CPT group
          <select name="cptGroup" defaultValue={current?.cptGroup ?? ""}>
            <option value="">Any group</option>
            {groups.data?.items.map((g) => (
              <option key={g.code} value={g.code}>
                {g.name}
              </option>
            ))}
          </select>
        </label>
        <fieldset className="checks wide">
          <legend>Drift types (none checked: all)</legend>
          {DRIFT_TYPES.map((t) => (
            <label key={t}>
              <input type="checkbox" name="driftTypes" value={t} defaultChecked={current?.driftTypes.includes(t)} /> {t}
            </label>
          ))}
        </fieldset>
        <label>
          Min severity (0–1)
          <input name="minSeverity" type="number" min={0} max={1} step="0.01" defaultValue={current?.minSeverity ?? ""} />
        </label>
        <label>
          Min |delta|
          <input name="minAbsDelta" type="number" min={0} step="any" defaultValue={current?.minAbsDelta ?? ""} />
        </label>
        <label>
          Min revenue impact ($/month)
          <input name="minRevenueImpact" inputMode="decimal" pattern="\d{1,12}(\.\d{1,2})?" defaultValue={current?.minRevenueImpact ?? ""} />
        </label>
        <label>
          Max q<input name="maxQValue" type="number" min={0} max={1} step="any" defaultValue={current?.maxQValue ?? ""} />
        </label>
        <label>
          Cooldown (minutes)
          <input name="cooldownMinutes" type="number" min={0} max={43200} defaultValue={current?.cooldownMinutes ?? 240} />
        </label>
        <label className="wide">
          E-mail recipients (comma-separated)
          <input name="emailRecipients" defaultValue={current?.emailRecipients.join(", ") ?? ""} />
        </label>
        <fieldset className="checks wide">
          <legend>Webhook endpoints</legend>
          {endpoints.data?.items.length === 0 && <span className="muted">No endpoints yet (Webhooks page).</span>}
          {endpoints.data?.items.map((e) => (
            <label key={e.id}>
              <input type="checkbox" name="endpointIds" value={e.id} defaultChecked={current?.endpointIds.includes(e.id)} /> {e.description || e.url}
            </label>
          ))}
        </fieldset>
        <div className="checks">
          <label>
            <input type="checkbox" name="notifyInApp" defaultChecked={current?.notifyInApp ?? true} /> In-app
          </label>
          <label>
            <input type="checkbox" name="enabled" defaultChecked={current?.enabled ?? true} /> Enabled
          </label>
        </div>
        <div className="row">
          <button type="submit" disabled={create.isPending || update.isPending}>
            {current ? "Save rule" : "Create rule"}
          </button>
          {current && (
            <button type="button" className="link-button" onClick={() => setEditing(null)}>
              Cancel
            </button>
          )}
        </div>
      </form>
      {error && (
        <p role="alert" className="error">
          {error.message}
        </p>
      )}
      <table>
        <thead>
          <tr>
            <th>Name</th>
            <th>Scope</th>
            <th>Conditions</th>
            <th>Channels</th>
            <th>Cooldown</th>
            <th>Status</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {rules.data?.items.map((rule) => (
            <tr key={rule.id}>
              <td>{rule.name}</td>
              <td>
                {[
                  rule.payerId ? (payers.data?.items.find((p) => p.id === rule.payerId)?.name ?? "one payer") : "any payer",
                  rule.cptGroup ?? "any group",
                  rule.driftTypes.join(", ") || "all types",
                ].join(" · ")}
              </td>
              <td>
                {[
                  rule.minSeverity !== null && `severity ≥ ${rule.minSeverity}`,
                  rule.minAbsDelta !== null && `|Δ| ≥ ${rule.minAbsDelta}`,
                  rule.minRevenueImpact && `≥ $${rule.minRevenueImpact}`,
                  rule.maxQValue !== null && `q ≤ ${rule.maxQValue}`,
                ]
                  .filter(Boolean)
                  .join(", ") || "any"}
              </td>
              <td>
                {[
                  rule.notifyInApp && "in-app",
                  rule.emailRecipients.length > 0 && `${rule.emailRecipients.length} e-mail`,
                  rule.endpointIds.length > 0 && `${rule.endpointIds.length} webhook`,
                ]
                  .filter(Boolean)
                  .join(", ")}
              </td>
              <td>{rule.cooldownMinutes} min</td>
              <td>{rule.enabled ? "enabled" : "disabled"}</td>
              <td className="row">
                <button type="button" className="link-button" onClick={() => setEditing(rule.id)}>
                  Edit
                </button>
                <button type="button" className="link-button" onClick={() => update.mutate({ id: rule.id, enabled: !rule.enabled })}>
                  {rule.enabled ? "Disable" : "Enable"}
                </button>
                <button
                  type="button"
                  className="link-button"
                  onClick={() => {
                    if (confirm(`Delete "${rule.name}" and its alerts?`)) remove.mutate({ id: rule.id });
                  }}
                >
                  Delete
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
