"use client";

import { useMutation } from "@tanstack/react-query";
import { useEffect, useState, type FormEvent } from "react";
import { useTRPC } from "@/trpc/react";
import { tokenFromHash } from "./accept-invitation";

/**
 * Without a token: ask for a reset link (the answer is the same for every address). With the
 * token from the link: choose a new password; every session of the account ends.
 */
export function ResetPassword() {
  const trpc = useTRPC();
  const [token, setToken] = useState<string | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const request = useMutation(trpc.passwordResets.request.mutationOptions());
  const complete = useMutation(trpc.passwordResets.complete.mutationOptions());

  useEffect(() => setToken(tokenFromHash()), []);

  if (token === undefined) return <p>Loading…</p>;

  if (!token) {
    const onRequest = (event: FormEvent<HTMLFormElement>) => {
      event.preventDefault();
      request.mutate({ email: String(new FormData(event.currentTarget).get("email")) }, { onError: (e) => setError(e.message) });
    };
    return (
      <form className="stack" onSubmit={onRequest} aria-label="Ask for a reset link">
        <label>
          Email
          <input name="email" type="email" autoComplete="username" required />
        </label>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        {request.data && <p role="status">{request.data.message}</p>}
        <button type="submit" disabled={request.isPending}>
          Send me a reset link
        </button>
      </form>
    );
  }

  const onComplete = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setError(null);
    if (form.get("password") !== form.get("confirm")) return setError("The two passwords differ.");
    complete.mutate({ token, password: String(form.get("password")) }, { onError: (e) => setError(e.message) });
  };
  if (complete.data)
    return (
      <p role="status">
        Your password is changed and every session of your account has ended. <a href="/sign-in">Sign in</a>.
      </p>
    );
  return (
    <form className="stack" onSubmit={onComplete} aria-label="Choose a new password">
      <label>
        New password (at least 12 characters)
        <input name="password" type="password" minLength={12} autoComplete="new-password" required />
      </label>
      <label>
        New password again
        <input name="confirm" type="password" minLength={12} autoComplete="new-password" required />
      </label>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <button type="submit" disabled={complete.isPending}>
        Change password
      </button>
    </form>
  );
}
