import { readFile } from "node:fs/promises";
import path from "node:path";
import { absolutePath } from "swagger-ui-dist";

/** Swagger UI's own files, and the initialiser that points it at our document. */
const ASSETS: Record<string, string> = {
  "swagger-ui.css": "text/css; charset=utf-8",
  "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
};

const INIT = `window.ui = SwaggerUIBundle({ url: "/api/v1/openapi.json", dom_id: "#swagger-ui", deepLinking: true });`;

export async function GET(_request: Request, { params }: { params: Promise<{ asset: string }> }): Promise<Response> {
  const { asset } = await params;
  if (asset === "init.js") return new Response(INIT, { headers: { "content-type": "text/javascript; charset=utf-8" } });
  const type = ASSETS[asset];
  if (!type) return new Response("Not found", { status: 404 });
  const body = await readFile(path.join(absolutePath(), asset));
  return new Response(body, { headers: { "content-type": type, "cache-control": "public, max-age=3600" } });
}
