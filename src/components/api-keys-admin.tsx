"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTRPC } from "@/trpc/react";

const ROLES = ["VIEWER", "ANALYST", "ADMIN"] as const;

export function ApiKeysAdmin() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const keys = useQuery(trpc.apiKeys.list.queryOptions({ limit: 100 }));
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.apiKeys.list.queryKey() });
  const create = useMutation(trpc.apiKeys.create.mutationOptions({ onSuccess: refresh }));
  const revoke = useMutation(trpc.apiKeys.revoke.mutationOptions({ onSuccess: refresh }));
  const [secret, setSecret] = useState<string | null>(null);

  function onCreate(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    create.mutate({ name: String(form.get("name")), role: form.get("role") as (typeof ROLES)[number] }, { onSuccess: (created) => setSecret(created.key) });
  }

  return (
    <div className="stack">
      <form className="row" onSubmit={onCreate} aria-label="Create an API key">
        <label>
          Name
          <input name="name" required maxLength={100} />
        </label>
        <label>
          Role
          <select name="role" defaultValue="VIEWER">
            {ROLES.map((r) => (
              <option key={r}>{r}</option>
            ))}
          </select>
        </label>
        <button type="submit" disabled={create.isPending}>
          Create key
        </button>
      </form>
      {create.error && (
        <p role="alert" className="error">
          {create.error.message}
        </p>
      )}
      {secret && (
        <div role="status">
          <p>Copy this key now; it will not be shown again:</p>
          <p className="secret" data-testid="new-api-key">
            {secret}
          </p>
        </div>
      )}
      <table>
        <thead>
          <tr>
            <th>Name</th>
            <th>Prefix</th>
            <th>Role</th>
            <th>Last used</th>
            <th>Status</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {keys.data?.items.map((key) => (
            <tr key={key.id}>
              <td>{key.name}</td>
              <td>
                <code>{key.prefix}</code>
              </td>
              <td>{key.role}</td>
              <td>{key.lastUsedAt ? key.lastUsedAt.toLocaleString() : "never"}</td>
              <td>{key.revokedAt ? "revoked" : key.expiresAt && key.expiresAt < new Date() ? "expired" : "active"}</td>
              <td>
                {!key.revokedAt && (
                  <button type="button" className="link-button" onClick={() => revoke.mutate({ id: key.id })}>
                    Revoke
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
