import { forPage } from "@/server/api/server-caller";

type TSearch = {
  cursor?: string;
  outcome?: string;
  cptGroup?: string;
  cptCode?: string;
  payerId?: string;
  submitterClaimId?: string;
  decidedFrom?: string;
  decidedTo?: string;
};

const OUTCOMES = ["PAID", "DENIED", "PARTIAL", "OTHER"] as const;

/** Claim lines with filters. PHI: ANALYST and up (VIEWERs get the 403 page); every view is audited. */
export default async function ClaimsPage({ searchParams }: { searchParams: Promise<TSearch> }) {
  const params = await searchParams;
  const clean = (value: string | undefined) => (value && value.trim() !== "" ? value.trim() : undefined);
  const outcome = OUTCOMES.find((o) => o === params.outcome);
  const filters = {
    outcome,
    cptGroup: clean(params.cptGroup),
    cptCode: clean(params.cptCode),
    payerId: clean(params.payerId),
    submitterClaimId: clean(params.submitterClaimId),
    decidedFrom: clean(params.decidedFrom),
    decidedTo: clean(params.decidedTo),
  };
  const [page, groups, payers] = await forPage((caller) =>
    Promise.all([
      caller.claims.list({ limit: 50, cursor: clean(params.cursor), ...filters }),
      caller.catalogues.cptGroups(),
      caller.catalogues.payers({ limit: 100 }),
    ]),
  );
  const next = new URLSearchParams(
    Object.entries({ ...filters, cursor: page.nextCursor ?? undefined }).filter((entry): entry is [string, string] => typeof entry[1] === "string"),
  );
  return (
    <>
      <h1>Claims</h1>
      <form className="row" action="/claims" aria-label="Filter claim lines">
        <label>
          Payer
          <select name="payerId" defaultValue={filters.payerId ?? ""}>
            <option value="">Any</option>
            {payers.items.map((payer) => (
              <option key={payer.id} value={payer.id}>
                {payer.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Outcome
          <select name="outcome" defaultValue={outcome ?? ""}>
            <option value="">Any</option>
            {OUTCOMES.map((o) => (
              <option key={o}>{o}</option>
            ))}
          </select>
        </label>
        <label>
          CPT group
          <select name="cptGroup" defaultValue={filters.cptGroup ?? ""}>
            <option value="">Any</option>
            {groups.items.map((group) => (
              <option key={group.code} value={group.code}>
                {group.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          CPT code
          <input name="cptCode" defaultValue={filters.cptCode ?? ""} size={6} />
        </label>
        <label>
          Claim id
          <input name="submitterClaimId" defaultValue={filters.submitterClaimId ?? ""} />
        </label>
        <label>
          Decided from
          <input type="date" name="decidedFrom" defaultValue={filters.decidedFrom ?? ""} />
        </label>
        <label>
          to
          <input type="date" name="decidedTo" defaultValue={filters.decidedTo ?? ""} />
        </label>
        <button type="submit">Filter</button>
      </form>
      <table aria-label="Claim lines">
        <thead>
          <tr>
            <th>Claim</th>
            <th>Line</th>
            <th>Payer</th>
            <th>CPT</th>
            <th>Group</th>
            <th>Service</th>
            <th>Decided</th>
            <th>Billed</th>
            <th>Allowed</th>
            <th>Paid</th>
            <th>Outcome</th>
            <th>Reason</th>
          </tr>
        </thead>
        <tbody>
          {page.items.map((line) => (
            <tr key={line.id}>
              <td>{line.submitterClaimId}</td>
              <td>{line.lineNumber}</td>
              <td>{line.payer.name}</td>
              {/* Modifiers as billers write them: 71046-26, 99213-25-59. */}
              <td>{line.cptCode && line.modifier ? [line.cptCode, ...line.modifier.split(":")].join("-") : line.cptCode}</td>
              <td>{line.cptGroup}</td>
              <td>{line.serviceDate}</td>
              <td>{line.decidedAt}</td>
              <td>{line.billedAmount}</td>
              <td>{line.allowedAmount ?? "—"}</td>
              <td>{line.paidAmount ?? "—"}</td>
              <td>{line.outcome}</td>
              <td>{line.denialReason ? `${line.denialReason.group}-${line.denialReason.code}` : ""}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {page.items.length === 0 && <p className="muted">No claim lines match.</p>}
      {page.nextCursor && <a href={`/claims?${next.toString()}`}>Next page</a>}
    </>
  );
}
