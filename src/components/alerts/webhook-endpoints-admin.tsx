"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTRPC } from "@/trpc/react";
import "./alerts.css";

const EVENT_TYPES = ["alert.created", "alert.resolved", "drift.detected", "drift.resolved", "run.completed", "webhook.test"] as const;

/** ADMIN: webhook endpoints, the secret revealed once (create, rotate), send test, enable/disable. */
export function WebhookEndpointsAdmin() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const endpoints = useQuery(trpc.webhookEndpoints.list.queryOptions({ limit: 100 }));
  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.webhookEndpoints.pathKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.webhookDeliveries.pathKey() }),
    ]);
  const [secret, setSecret] = useState<{ endpointId: string; value: string; rotated: boolean } | null>(null);
  const create = useMutation(
    trpc.webhookEndpoints.create.mutationOptions({
      onSuccess: (e) => {
        setSecret({ endpointId: e.id, value: e.secret, rotated: false });
        return refresh();
      },
    }),
  );
  const rotate = useMutation(
    trpc.webhookEndpoints.rotateSecret.mutationOptions({
      onSuccess: (e) => {
        setSecret({ endpointId: e.id, value: e.secret, rotated: true });
        return refresh();
      },
    }),
  );
  const update = useMutation(trpc.webhookEndpoints.update.mutationOptions({ onSuccess: refresh }));
  const remove = useMutation(trpc.webhookEndpoints.delete.mutationOptions({ onSuccess: refresh }));
  const test = useMutation(trpc.webhookEndpoints.test.mutationOptions({ onSuccess: refresh }));
  const error = create.error ?? rotate.error ?? update.error ?? remove.error ?? test.error;

  function onCreate(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    create.mutate({
      url: String(form.get("url")),
      description: String(form.get("description") ?? ""),
      eventTypes: form.getAll("eventTypes").map(String) as (typeof EVENT_TYPES)[number][],
    });
  }

  return (
    <div className="stack">
      <form className="grid-form" onSubmit={onCreate} aria-label="Add a webhook endpoint">
        <label className="wide">
          URL (https, public address)
          <input name="url" type="url" required placeholder="https://example.com/driftline-webhooks" />
        </label>
        <label className="wide">
          Description
          <input name="description" maxLength={500} />
        </label>
        <fieldset className="checks wide">
          <legend>Event types</legend>
          {EVENT_TYPES.map((t) => (
            <label key={t}>
              <input type="checkbox" name="eventTypes" value={t} defaultChecked={t.startsWith("alert.")} /> {t}
            </label>
          ))}
        </fieldset>
        <div>
          <button type="submit" disabled={create.isPending}>
            Add endpoint
          </button>
        </div>
      </form>
      {error && (
        <p role="alert" className="error">
          {error.message}
        </p>
      )}
      {secret && (
        <div role="status">
          <p>
            {secret.rotated ? "New signing secret (the previous one keeps signing for 24 hours):" : "Signing secret:"} copy it now; it will not be shown again.
          </p>
          <p className="secret" data-testid="webhook-secret">
            {secret.value}
          </p>
          <button type="button" className="link-button" onClick={() => setSecret(null)}>
            I have stored it
          </button>
        </div>
      )}
      {test.data && (
        <p role="status">
          Test event queued (webhook-id <code>{test.data.messageId}</code>); see the delivery log.
        </p>
      )}
      <table>
        <thead>
          <tr>
            <th>URL</th>
            <th>Events</th>
            <th>Status</th>
            <th>Secret</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {endpoints.data?.items.map((e) => (
            <tr key={e.id}>
              <td>
                <code>{e.url}</code>
                {e.description && <div className="muted">{e.description}</div>}
              </td>
              <td>{e.eventTypes.join(", ")}</td>
              <td>
                {e.enabled ? (
                  "enabled"
                ) : (
                  <span className="error" title={e.disabledReason ?? ""}>
                    disabled{e.disabledReason ? `: ${e.disabledReason}` : ""}
                  </span>
                )}
              </td>
              <td>
                {e.previousSecretExpiresAt && e.previousSecretExpiresAt > new Date()
                  ? `rotated; old secret signs until ${e.previousSecretExpiresAt.toLocaleString()}`
                  : "current"}
              </td>
              <td className="row">
                <button type="button" className="link-button" disabled={!e.enabled} onClick={() => test.mutate({ id: e.id })}>
                  Send test
                </button>
                <button
                  type="button"
                  className="link-button"
                  onClick={() => {
                    if (confirm("Rotate the signing secret? The old one keeps signing for 24 hours.")) rotate.mutate({ id: e.id, graceHours: 24 });
                  }}
                >
                  Rotate secret
                </button>
                <button type="button" className="link-button" onClick={() => update.mutate({ id: e.id, enabled: !e.enabled })}>
                  {e.enabled ? "Disable" : "Enable"}
                </button>
                <button
                  type="button"
                  className="link-button"
                  onClick={() => {
                    if (confirm("Delete this endpoint and its delivery log?")) remove.mutate({ id: e.id });
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
