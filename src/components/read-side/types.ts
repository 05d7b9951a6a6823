import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/api/root";

/** Shapes of the procedures the read-side pages call (types only: no server code in the UI). */
type TOut = inferRouterOutputs<AppRouter>;
type TIn = inferRouterInputs<AppRouter>;

export type TDashboardData = TOut["dashboard"]["get"];
export type TPayerSummaryData = TOut["claims"]["payerSummary"];
export type TPayerSummaryRowData = TPayerSummaryData["items"][number];
export type TDriftEventData = TOut["driftEvents"]["list"]["items"][number];
/** One event with its root cause (the detail page only). */
export type TDriftEventDetailData = TOut["driftEvents"]["get"];
export type TDriftListInput = TIn["driftEvents"]["list"];
export type TRunData = TOut["reports"]["get"];
export type TExportData = TOut["exports"]["get"];
export type TAlertData = TOut["alerts"]["list"]["items"][number];
export type TRole = "VIEWER" | "ANALYST" | "ADMIN";
