import { checkReadiness } from "@/server/services/health/check-readiness";

/** Readiness: the database answers, every migration is applied and a worker beat recently. 503 otherwise. */
export const dynamic = "force-dynamic";

export async function GET(): Promise<Response> {
  const readiness = await checkReadiness();
  return Response.json(readiness, { status: readiness.status === "ready" ? 200 : 503 });
}
