"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useTRPC } from "@/trpc/react";
import "./alerts.css";

/** "Alerts" in the main navigation, with a badge counting active alerts (refreshed each minute). */
export function AlertsNavLink() {
  const trpc = useTRPC();
  const active = useQuery({ ...trpc.alerts.active.queryOptions({ pageSize: 1 }), refetchInterval: 60_000 });
  const count = active.data?.total ?? 0;
  return (
    <Link href="/alerts" aria-label={count > 0 ? `Alerts, ${count} active` : "Alerts"}>
      Alerts
      {count > 0 && (
        <span className="nav-badge" data-testid="alerts-badge">
          {count > 99 ? "99+" : count}
        </span>
      )}
    </Link>
  );
}
