import { handleExportDownload } from "@/server/api/export-download";

/** GET /api/v1/exports/{id}/download — the CSV of a finished export (see export-download.ts). */
export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export async function GET(req: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const { id } = await params;
  return handleExportDownload(req, id);
}
