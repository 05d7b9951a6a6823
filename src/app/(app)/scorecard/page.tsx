import { Suspense } from "react";
import { PayerScorecard } from "@/components/read-side/payer-scorecard";
import { forPage } from "@/server/api/server-caller";

/** Payer scorecard; the default period is prefetched on the server for the first paint. */
export default async function ScorecardPage({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  const params = await searchParams;
  const isDefault = !params.from && !params.to && !params.ordering;
  const [me, initial] = await forPage((caller) =>
    Promise.all([caller.customers.me(), isDefault ? caller.claims.payerSummary({}) : Promise.resolve(undefined)]),
  );
  return (
    <Suspense>
      <PayerScorecard initial={initial} role={me.role} />
    </Suspense>
  );
}
