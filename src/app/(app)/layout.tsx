import Link from "next/link";
import type { ReactNode } from "react";
import { SignOutButton } from "@/components/sign-out-button";
import { forPage } from "@/server/api/server-caller";
import { TRPCReactProvider } from "@/trpc/react";

/** The signed-in shell: navigation shows only what the caller's role may open. */
export default async function AppLayout({ children }: { children: ReactNode }) {
  const me = await forPage((caller) => caller.customers.me());
  const isAdmin = me.role === "ADMIN";
  return (
    <TRPCReactProvider>
      <header className="topbar">
        <Link href="/" className="brand">Driftline</Link>
        <nav aria-label="Main">
          <Link href="/">Overview</Link>
          {me.role !== "VIEWER" && (
            <>
              <Link href="/uploads">Uploads</Link>
              <Link href="/claims">Claims</Link>
            </>
          )}
          {isAdmin && (
            <>
              <Link href="/admin/mappings">Mappings</Link>
              <Link href="/admin/users">Users</Link>
              <Link href="/admin/api-keys">API keys</Link>
              <Link href="/admin/audit">Audit log</Link>
            </>
          )}
        </nav>
        <div className="who">
          <span>{me.customer.name}</span>
          <span className="muted">{me.caller.label} · {me.role}{me.viaSwitch ? " (switched)" : ""}</span>
          <SignOutButton />
        </div>
      </header>
      <main>{children}</main>
    </TRPCReactProvider>
  );
}
