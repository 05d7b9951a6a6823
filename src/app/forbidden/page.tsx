import Link from "next/link";

export const metadata = { title: "Not allowed · Driftline" };

export default function ForbiddenPage() {
  return (
    <main className="narrow">
      <h1>403 — not allowed</h1>
      <p>Your role does not allow this page. Ask an administrator of your organisation if you need access.</p>
      <Link href="/">Back to the overview</Link>
    </main>
  );
}
