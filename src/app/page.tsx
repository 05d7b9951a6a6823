export default function HomePage() {
  return (
    <main>
      <h1>Driftline</h1>
      <p>Payer drift detection for clinic billing teams.</p>
    </main>
  );
}
