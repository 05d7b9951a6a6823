"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTRPC } from "@/trpc/react";

const ROLES = ["VIEWER", "ANALYST", "ADMIN"] as const;

/**
 * Members and invitations. An admin invites an address with a role; the person accepts with
 * the single-use link and chooses their own password (or uses the account they have). Admins
 * change roles and remove memberships; accounts themselves are their owners'.
 */
export function UsersAdmin() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const members = useQuery(trpc.users.list.queryOptions({ limit: 100 }));
  const invitations = useQuery(trpc.invitations.list.queryOptions({ limit: 100, status: "PENDING" }));
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: trpc.users.list.queryKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.invitations.list.queryKey() });
  };
  const invite = useMutation(trpc.invitations.create.mutationOptions({ onSuccess: refresh }));
  const withdraw = useMutation(trpc.invitations.revoke.mutationOptions({ onSuccess: refresh }));
  const update = useMutation(trpc.users.update.mutationOptions({ onSuccess: refresh }));
  const remove = useMutation(trpc.users.remove.mutationOptions({ onSuccess: refresh }));
  const [formError, setFormError] = useState<string | null>(null);
  const [sent, setSent] = useState<{ email: string; delivery: string; link: string | null } | null>(null);

  function onInvite(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    setFormError(null);
    setSent(null);
    invite.mutate(
      { email: String(form.get("email")), role: form.get("role") as (typeof ROLES)[number] },
      {
        onError: (error) => setFormError(error.message),
        onSuccess: (created) => {
          // The link is shown this once; it is never stored in clear.
          setSent({ email: created.email, delivery: created.delivery, link: created.link ? new URL(created.link, window.location.origin).toString() : null });
          formElement.reset();
        },
      },
    );
  }

  return (
    <div className="stack">
      <form className="row" onSubmit={onInvite} aria-label="Invite a user">
        <label>
          Email
          <input name="email" type="email" required />
        </label>
        <label>
          Role
          <select name="role" defaultValue="VIEWER">
            {ROLES.map((r) => (
              <option key={r}>{r}</option>
            ))}
          </select>
        </label>
        <button type="submit" disabled={invite.isPending}>
          Invite
        </button>
      </form>
      {formError && (
        <p role="alert" className="error">
          {formError}
        </p>
      )}
      {sent?.delivery === "EMAIL" && <p role="status">Invitation e-mailed to {sent.email}.</p>}
      {sent?.delivery === "EMAIL_FAILED" && (
        <p role="alert" className="error">
          The e-mail to {sent.email} could not be sent; invite again later.
        </p>
      )}
      {sent?.link && (
        <div role="status">
          <p>Give this link to {sent.email} yourself (e-mail is not configured). It works once, for 7 days, and will not be shown again:</p>
          <p className="secret" data-testid="invitation-link">
            {sent.link}
          </p>
        </div>
      )}

      <h2>Open invitations</h2>
      {invitations.data && invitations.data.items.length === 0 && <p className="muted">None.</p>}
      {invitations.data && invitations.data.items.length > 0 && (
        <table>
          <thead>
            <tr>
              <th>Email</th>
              <th>Role</th>
              <th>Expires</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {invitations.data.items.map((invitation) => (
              <tr key={invitation.id}>
                <td>{invitation.email}</td>
                <td>{invitation.role}</td>
                <td>{invitation.expiresAt.toLocaleString()}</td>
                <td>
                  <button
                    type="button"
                    className="link-button"
                    onClick={() => withdraw.mutate({ id: invitation.id }, { onError: (error) => setFormError(error.message) })}
                  >
                    Withdraw
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <h2>Members</h2>
      {members.isLoading && <p>Loading…</p>}
      <table>
        <thead>
          <tr>
            <th>Email</th>
            <th>Role</th>
            <th>Last sign-in</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {members.data?.items.map((member) => (
            <tr key={member.id}>
              <td>
                {member.email}
                {member.disabled ? " (account disabled)" : ""}
              </td>
              <td>
                <select
                  aria-label={`Role of ${member.email}`}
                  value={member.role}
                  onChange={(e) =>
                    update.mutate({ id: member.id, role: e.target.value as (typeof ROLES)[number] }, { onError: (error) => setFormError(error.message) })
                  }
                >
                  {ROLES.map((r) => (
                    <option key={r}>{r}</option>
                  ))}
                </select>
              </td>
              <td>{member.lastSignInAt ? member.lastSignInAt.toLocaleString() : "never"}</td>
              <td>
                <button
                  type="button"
                  className="link-button"
                  onClick={() => remove.mutate({ id: member.id }, { onError: (error) => setFormError(error.message) })}
                >
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
