import Link from "next/link";
import { AccountsAdmin } from "@/components/accounts-admin";
import { SignOutButton } from "@/components/sign-out-button";
import { TenantSwitcher } from "@/components/read-side/tenant-switcher";
import { forPage, serverCaller } from "@/server/api/server-caller";
import { TRPCReactProvider } from "@/trpc/react";

/**
 * Superusers' tenant list and switcher. Outside the (app) shell on purpose: a superuser who has
 * not switched into a tenant has none, and the shell needs one.
 */
export default async function TenantsPage() {
  await forPage((caller) => caller.customers.list({ limit: 1 })); // superusers only: others see the 403 page
  const me = await (await serverCaller()).customers.me().catch(() => null);
  return (
    <TRPCReactProvider>
      <header className="topbar">
        <Link href={me ? "/" : "/tenants"} className="brand">
          Driftline
        </Link>
        <nav aria-label="Main">
          {me && <Link href="/">Back to {me.customer.name}</Link>}
          <Link href="/tenants" aria-current="page">
            Tenants
          </Link>
        </nav>
        <div className="who">
          <span className="muted">Superuser{me ? ` · in ${me.customer.name}` : " · no tenant selected"}</span>
          <SignOutButton />
        </div>
      </header>
      <main>
        <h1>Tenants</h1>
        <TenantSwitcher activeCustomerId={me?.customer.id ?? null} />
        <h2>Accounts</h2>
        <AccountsAdmin />
      </main>
    </TRPCReactProvider>
  );
}
