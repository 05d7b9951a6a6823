import Link from "next/link";

export default function NotFound() {
  return (
    <main className="narrow">
      <h1>Not found</h1>
      <p>There is nothing here, or it belongs to another organisation.</p>
      <Link href="/">Back to the overview</Link>
    </main>
  );
}
