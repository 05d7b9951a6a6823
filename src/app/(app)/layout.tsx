import { TRPCError } from "@trpc/server";
import Link from "next/link";
import { redirect } from "next/navigation";
import type { ReactNode } from "react";
import { AlertsNavLink } from "@/components/alerts/alerts-nav-link";
import { SessionActivity } from "@/components/session-activity";
import { SignOutButton } from "@/components/sign-out-button";
import { env } from "@/env";
import { forPage } from "@/server/api/server-caller";
import { TRPCReactProvider } from "@/trpc/react";

/** The signed-in shell: navigation shows only what the caller's role may open. */
export default async function AppLayout({ children }: { children: ReactNode }) {
  const me = await forPage(async (caller) => {
    try {
      return await caller.customers.me();
    } catch (error) {
      // A superuser who has not switched into a tenant has none: the tenant list is their home.
      if (
        error instanceof TRPCError &&
        error.code === "FORBIDDEN" &&
        (await caller.customers.list({ limit: 1 }).then(
          () => true,
          () => false,
        ))
      )
        redirect("/tenants");
      throw error;
    }
  });
  const isAdmin = me.role === "ADMIN";
  return (
    <TRPCReactProvider>
      <SessionActivity idleMinutes={env().SESSION_IDLE_MINUTES} />
      <header className="topbar">
        <Link href="/" className="brand">
          Driftline
        </Link>
        <nav aria-label="Main">
          <Link href="/">Dashboard</Link>
          <Link href="/scorecard">Scorecard</Link>
          <Link href="/drift-events">Drift events</Link>
          <AlertsNavLink />
          <Link href="/fee-schedules">Fee schedules</Link>
          <Link href="/runs">Runs</Link>
          {me.role !== "VIEWER" && (
            <>
              <Link href="/underpayments">Underpayments</Link>
              <Link href="/uploads">Uploads</Link>
              <Link href="/claims">Claims</Link>
            </>
          )}
          {isAdmin && (
            <>
              <Link href="/admin/mappings">Mappings</Link>
              <Link href="/admin/alert-rules">Alert rules</Link>
              <Link href="/admin/webhooks">Webhooks</Link>
              <Link href="/admin/users">Users</Link>
              <Link href="/admin/api-keys">API keys</Link>
              <Link href="/admin/audit">Audit log</Link>
            </>
          )}
          {me.caller.isSuperuser && <Link href="/tenants">Tenants</Link>}
        </nav>
        <div className="who">
          <span>{me.customer.name}</span>
          <span className="muted">
            {me.caller.label} · {me.role}
            {me.viaSwitch ? " (switched)" : ""}
          </span>
          <SignOutButton />
        </div>
      </header>
      <main>{children}</main>
    </TRPCReactProvider>
  );
}
