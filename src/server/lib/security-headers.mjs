/**
 * Security headers for every response (PRODUCT.md §8): Next.js adds them to pages and route
 * handlers (next.config.mjs), and the web role's own HTTP server to the REST door it answers
 * ahead of Next.js (src/cli/serve-rest.ts). HSTS is not here: this list is read when `next build`
 * runs, so the build's environment would decide it; the web role sets it at run time when
 * DRIFTLINE_MODE=production (src/cli/serve-web.ts).
 *
 * @type {ReadonlyArray<{ key: string; value: string }>}
 */
export const SECURITY_HEADERS = [
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "X-Frame-Options", value: "DENY" },
  { key: "Referrer-Policy", value: "no-referrer" },
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=()" },
  {
    key: "Content-Security-Policy",
    value: [
      "default-src 'self'",
      "script-src 'self' 'unsafe-inline'",
      "style-src 'self' 'unsafe-inline'",
      "img-src 'self' data:",
      "connect-src 'self'",
      "frame-ancestors 'none'",
      "base-uri 'self'",
      "form-action 'self'",
    ].join("; "),
  },
];
