"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTRPC } from "@/trpc/react";

/** Re-map raw payer names to payers, and override CPT code groups; each change re-points existing lines. */
export function MappingsAdmin() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [search, setSearch] = useState("");
  const payerMappings = useQuery(trpc.payerMappings.list.queryOptions({ limit: 100, search: search || undefined }));
  const payers = useQuery(trpc.catalogues.payers.queryOptions({ limit: 100 }));
  const groups = useQuery(trpc.catalogues.cptGroups.queryOptions());
  const cptMappings = useQuery(trpc.cptMappings.list.queryOptions({ limit: 100 }));
  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.payerMappings.list.queryKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.cptMappings.list.queryKey() }),
    ]);
  const remap = useMutation(trpc.payerMappings.update.mutationOptions({ onSuccess: refresh }));
  const createCpt = useMutation(trpc.cptMappings.create.mutationOptions({ onSuccess: refresh }));
  const removeCpt = useMutation(trpc.cptMappings.delete.mutationOptions({ onSuccess: refresh }));
  const error = remap.error ?? createCpt.error ?? removeCpt.error;

  function onCreateCpt(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    createCpt.mutate({ cptCode: String(form.get("cptCode")), groupCode: String(form.get("groupCode")) as never });
  }

  return (
    <div className="stack">
      {error && (
        <p role="alert" className="error">
          {error.message}
        </p>
      )}
      <h2>Payer names</h2>
      <p className="muted">Names arrive as uploads spell them. Point each at the right payer; existing claim lines follow at once.</p>
      <label>
        Search
        <input value={search} onChange={(event) => setSearch(event.target.value)} placeholder="e.g. uhc" />
      </label>
      <table aria-label="Payer mappings">
        <thead>
          <tr>
            <th>Name in uploads</th>
            <th>Payer</th>
          </tr>
        </thead>
        <tbody>
          {payerMappings.data?.items.map((mapping) => (
            <tr key={mapping.id}>
              <td>{mapping.rawName}</td>
              <td>
                <select
                  aria-label={`Payer for ${mapping.rawName}`}
                  value={mapping.payer.id}
                  disabled={remap.isPending}
                  onChange={(event) => remap.mutate({ id: mapping.id, payerId: event.target.value })}
                >
                  {!payers.data?.items.some((payer) => payer.id === mapping.payer.id) && <option value={mapping.payer.id}>{mapping.payer.name}</option>}
                  {payers.data?.items.map((payer) => (
                    <option key={payer.id} value={payer.id}>
                      {payer.name}
                      {payer.scope === "CUSTOMER" ? " (yours)" : ""}
                    </option>
                  ))}
                </select>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>CPT group overrides</h2>
      <form className="row" onSubmit={onCreateCpt} aria-label="Override a CPT code's group">
        <label>
          Code
          <input name="cptCode" required pattern="[0-9A-Za-z]{5}" size={6} />
        </label>
        <label>
          Group
          <select name="groupCode">
            {groups.data?.items.map((group) => (
              <option key={group.code} value={group.code}>
                {group.name}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" disabled={createCpt.isPending}>
          Override
        </button>
      </form>
      <table aria-label="CPT group overrides">
        <thead>
          <tr>
            <th>Code</th>
            <th>Group</th>
            <th>Standard group</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {cptMappings.data?.items.map((mapping) => (
            <tr key={mapping.id}>
              <td>{mapping.cptCode}</td>
              <td>{mapping.groupCode}</td>
              <td>{mapping.defaultGroupCode}</td>
              <td>
                <button type="button" className="link-button" onClick={() => removeCpt.mutate({ id: mapping.id })}>
                  Remove
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {cptMappings.data?.items.length === 0 && <p className="muted">No overrides: codes fall into their standard range.</p>}
    </div>
  );
}
