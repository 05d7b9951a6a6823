/** Interactive API docs (Swagger UI, served from the installed swagger-ui-dist: no CDN). */
export const dynamic = "force-static";

const HTML = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Driftline REST API</title>
  <link rel="stylesheet" href="/api/v1/docs/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/api/v1/docs/swagger-ui-bundle.js"></script>
  <script src="/api/v1/docs/init.js"></script>
</body>
</html>`;

export function GET(): Response {
  return new Response(HTML, { headers: { "content-type": "text/html; charset=utf-8" } });
}
