"use client";

import { useMutation } from "@tanstack/react-query";
import { signIn } from "next-auth/react";
import { useRouter } from "next/navigation";
import { useEffect, useState, type FormEvent } from "react";
import { useTRPC } from "@/trpc/react";

/** The token rides in the URL fragment (#token=…): browsers never send it to a server. */
export function tokenFromHash(): string | null {
  const match = /(?:^#|&)token=([^&]+)/.exec(window.location.hash);
  return match ? decodeURIComponent(match[1]!) : null;
}

/**
 * Accepting an invitation. Both ways are always offered, so the page says nothing about whether
 * the address has an account until the person acts: choose a password (a new account), or sign
 * in with the account they have and accept.
 */
export function AcceptInvitation() {
  const trpc = useTRPC();
  const router = useRouter();
  const [token, setToken] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const inspect = useMutation(trpc.invitations.inspect.mutationOptions());
  const accept = useMutation(trpc.invitations.accept.mutationOptions());

  useEffect(() => {
    const found = tokenFromHash();
    setToken(found);
    if (found) inspect.mutate({ token: found });
    // Runs once, on arrival.
  }, []);

  const invitation = inspect.data;
  if (token === null)
    return (
      <p role="alert" className="error">
        This page needs the link from your invitation.
      </p>
    );
  if (inspect.error)
    return (
      <p role="alert" className="error">
        {inspect.error.message}
      </p>
    );
  if (!invitation) return <p>Loading…</p>;

  async function signInAs(password: string): Promise<boolean> {
    const result = await signIn("credentials", { email: invitation!.email, password, redirect: false });
    return Boolean(result?.ok && !result.error);
  }

  async function onNewAccount(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const password = String(form.get("password"));
    setError(null);
    if (password !== String(form.get("confirm"))) return setError("The two passwords differ.");
    try {
      await accept.mutateAsync({ token: token!, password, name: String(form.get("name") ?? "") || undefined });
    } catch (caught) {
      return setError((caught as Error).message);
    }
    if (!(await signInAs(password))) return setError("Your account is ready, but signing in failed: sign in from the sign-in page.");
    router.push("/");
    router.refresh();
  }

  async function onExistingAccount(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const password = String(new FormData(event.currentTarget).get("password"));
    setError(null);
    if (!(await signInAs(password))) return setError("That password does not match an active account for this address.");
    try {
      await accept.mutateAsync({ token: token! });
    } catch (caught) {
      return setError((caught as Error).message);
    }
    router.push("/");
    router.refresh();
  }

  return (
    <div className="stack">
      <p>
        <strong>{invitation.email}</strong> is invited to join <strong>{invitation.customerName}</strong> as {invitation.role}. The link works once, until{" "}
        {invitation.expiresAt.toLocaleString()}.
      </p>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <form className="stack" onSubmit={onNewAccount} aria-label="Create your account">
        <h2>New to Driftline? Choose your password</h2>
        <label>
          Your name
          <input name="name" autoComplete="name" />
        </label>
        <label>
          Password (at least 12 characters)
          <input name="password" type="password" minLength={12} autoComplete="new-password" required />
        </label>
        <label>
          Password again
          <input name="confirm" type="password" minLength={12} autoComplete="new-password" required />
        </label>
        <button type="submit" disabled={accept.isPending}>
          Create account and join
        </button>
      </form>
      <form className="stack" onSubmit={onExistingAccount} aria-label="Accept with your account">
        <h2>Already have a Driftline account?</h2>
        <label>
          Your current password
          <input name="password" type="password" autoComplete="current-password" required />
        </label>
        <button type="submit" disabled={accept.isPending}>
          Sign in and join
        </button>
        <p className="muted">
          <a href="/reset-password">Forgot your password?</a>
        </p>
      </form>
    </div>
  );
}
