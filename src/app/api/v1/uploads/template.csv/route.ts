import { csvTemplate } from "@/server/services/ingestion/parse/csv-columns";

/**
 * GET /api/v1/uploads/template.csv: the documented CSV columns with one example row. No
 * credentials needed (it holds no data); linked from the upload page and the API docs.
 */
export const dynamic = "force-static";

export function GET(): Response {
  return new Response(csvTemplate(), {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": 'attachment; filename="driftline-claims-template.csv"',
      "cache-control": "public, max-age=3600",
    },
  });
}
