import pino from "pino";

/**
 * Structured JSON logs. Never log PHI: log ids, codes and counts, not claim contents, and never
 * request bodies. The redact list is a safety net for fields that must never appear.
 */
export const logger = pino({
  level: process.env.LOG_LEVEL ?? "info",
  base: { service: "driftline" },
  redact: {
    paths: ["password", "*.password", "authorization", "*.authorization", "cookie", "*.cookie", "key", "*.secret", "patientAccount", "*.patientAccount"],
    censor: "[redacted]",
  },
});
