"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTRPC } from "@/trpc/react";

const ROLES = ["VIEWER", "ANALYST", "ADMIN"] as const;

export function UsersAdmin() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const members = useQuery(trpc.users.list.queryOptions({ limit: 100 }));
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.users.list.queryKey() });
  const invite = useMutation(trpc.users.invite.mutationOptions({ onSuccess: refresh }));
  const update = useMutation(trpc.users.update.mutationOptions({ onSuccess: refresh }));
  const remove = useMutation(trpc.users.remove.mutationOptions({ onSuccess: refresh }));
  const [formError, setFormError] = useState<string | null>(null);

  function onInvite(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const password = String(form.get("password") ?? "");
    setFormError(null);
    invite.mutate(
      { email: String(form.get("email")), role: form.get("role") as (typeof ROLES)[number], password: password || undefined },
      { onError: (error) => setFormError(error.message), onSuccess: () => (event.target as HTMLFormElement).reset() },
    );
  }

  return (
    <div className="stack">
      <form className="row" onSubmit={onInvite} aria-label="Invite a user">
        <label>Email<input name="email" type="email" required /></label>
        <label>Role
          <select name="role" defaultValue="VIEWER">{ROLES.map((r) => <option key={r}>{r}</option>)}</select>
        </label>
        <label>Initial password (new accounts)<input name="password" type="password" minLength={12} /></label>
        <button type="submit" disabled={invite.isPending}>Invite</button>
      </form>
      {formError && <p role="alert" className="error">{formError}</p>}
      {members.isLoading && <p>Loading…</p>}
      <table>
        <thead><tr><th>Email</th><th>Role</th><th>Last sign-in</th><th /></tr></thead>
        <tbody>
          {members.data?.items.map((member) => (
            <tr key={member.id}>
              <td>{member.email}{member.disabled ? " (disabled)" : ""}</td>
              <td>
                <select
                  aria-label={`Role of ${member.email}`}
                  value={member.role}
                  onChange={(e) => update.mutate({ id: member.id, role: e.target.value as (typeof ROLES)[number] }, { onError: (error) => setFormError(error.message) })}
                >
                  {ROLES.map((r) => <option key={r}>{r}</option>)}
                </select>
              </td>
              <td>{member.lastSignInAt ? member.lastSignInAt.toLocaleString() : "never"}</td>
              <td>
                <button type="button" className="link-button" onClick={() => remove.mutate({ id: member.id }, { onError: (error) => setFormError(error.message) })}>
                  Remove
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
