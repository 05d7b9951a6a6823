import { forPage } from "@/server/api/server-caller";

export default async function AuditPage({ searchParams }: { searchParams: Promise<{ cursor?: string; action?: string }> }) {
  const { cursor, action } = await searchParams;
  const page = await forPage((caller) => caller.auditEvents.list({ limit: 50, cursor, action: action || undefined }));
  return (
    <>
      <h1>Audit log</h1>
      <form className="row" action="/admin/audit">
        <label>
          Action
          <input name="action" defaultValue={action ?? ""} placeholder="e.g. user.update" />
        </label>
        <button type="submit">Filter</button>
      </form>
      <table>
        <thead>
          <tr>
            <th>When</th>
            <th>Who</th>
            <th>Action</th>
            <th>Resource</th>
            <th>Outcome</th>
          </tr>
        </thead>
        <tbody>
          {page.items.map((event) => (
            <tr key={event.id}>
              <td>{event.occurredAt.toISOString().replace("T", " ").slice(0, 19)}</td>
              <td>{event.actorLabel}</td>
              <td>{event.action}</td>
              <td>
                {event.resourceType}
                {event.resourceId ? ` ${event.resourceId.slice(0, 8)}` : ""}
              </td>
              <td>{event.outcome}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {page.items.length === 0 && <p className="muted">No audit events match.</p>}
      {page.nextCursor && (
        <a href={`/admin/audit?cursor=${encodeURIComponent(page.nextCursor)}${action ? `&action=${encodeURIComponent(action)}` : ""}`}>Older events</a>
      )}
    </>
  );
}
