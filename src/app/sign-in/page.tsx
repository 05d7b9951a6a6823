import { SignInForm } from "@/components/sign-in-form";

export const metadata = { title: "Sign in · Driftline" };

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ reason?: string }> }) {
  const { reason } = await searchParams;
  return (
    <main className="narrow">
      <h1>Sign in to Driftline</h1>
      {reason === "idle" && <p role="status">You were signed out after a period of inactivity.</p>}
      {reason === "ended" && <p role="status">Your session has ended. Sign in again.</p>}
      <SignInForm />
      <p className="muted">
        <a href="/reset-password">Forgot your password?</a>
      </p>
    </main>
  );
}
