import { databaseUrl } from "@/env";
import { pendingVersions } from "@/server/db/migrations";

export interface TReadiness {
  status: "ready" | "not_ready";
  database: "ok" | "unreachable";
  migrations: "ok" | "pending" | "unknown";
  pendingMigrations: string[];
}

export async function checkReadiness(): Promise<TReadiness> {
  try {
    const pending = await pendingVersions(databaseUrl());
    return {
      status: pending.length === 0 ? "ready" : "not_ready",
      database: "ok",
      migrations: pending.length === 0 ? "ok" : "pending",
      pendingMigrations: pending,
    };
  } catch {
    return { status: "not_ready", database: "unreachable", migrations: "unknown", pendingMigrations: [] };
  }
}
