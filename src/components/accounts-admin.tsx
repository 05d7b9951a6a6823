"use client";

import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTRPC } from "@/trpc/react";

/**
 * Superusers' account tools (accounts are the platform's, not a tenant's): disable or enable an
 * account, or issue a single-use password-reset link (e-mailed, or shown here once).
 */
export function AccountsAdmin() {
  const trpc = useTRPC();
  const setDisabled = useMutation(trpc.accounts.setDisabled.mutationOptions());
  const issueReset = useMutation(trpc.accounts.issuePasswordReset.mutationOptions());
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [link, setLink] = useState<string | null>(null);

  function run(action: "disable" | "enable" | "reset") {
    return (event: FormEvent<HTMLButtonElement>) => {
      const form = event.currentTarget.form;
      if (!form?.reportValidity()) return;
      const email = String(new FormData(form).get("email"));
      setMessage(null);
      setError(null);
      setLink(null);
      const onError = (e: { message: string }) => setError(e.message);
      if (action === "reset") {
        issueReset.mutate(
          { email },
          {
            onError,
            onSuccess: (issued) => {
              if (issued.link) setLink(new URL(issued.link, window.location.origin).toString());
              else setMessage(issued.delivery === "EMAIL" ? `Reset link e-mailed to ${email}.` : `The e-mail to ${email} could not be sent.`);
            },
          },
        );
      } else {
        setDisabled.mutate(
          { email, disabled: action === "disable" },
          {
            onError,
            onSuccess: (done) =>
              setMessage(done.disabled ? `${done.email} is disabled; ${done.revokedApiKeys} API key(s) it created were revoked.` : `${done.email} is enabled.`),
          },
        );
      }
    };
  }

  return (
    <form className="stack" aria-label="Accounts" onSubmit={(e) => e.preventDefault()}>
      <div className="row">
        <label>
          Account email
          <input name="email" type="email" required />
        </label>
        <button type="button" onClick={run("reset")}>
          Issue reset link
        </button>
        <button type="button" onClick={run("disable")}>
          Disable
        </button>
        <button type="button" onClick={run("enable")}>
          Enable
        </button>
      </div>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {message && <p role="status">{message}</p>}
      {link && (
        <div role="status">
          <p>Give this link to the account&apos;s owner; it works once, for 1 hour, and will not be shown again:</p>
          <p className="secret" data-testid="reset-link">
            {link}
          </p>
        </div>
      )}
    </form>
  );
}
