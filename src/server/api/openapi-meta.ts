import type { TMeta } from "./trpc";

type TRestOptions = {
  summary: string;
  description: string;
  tags: string[];
  /** Public operations answer without credentials (no 401/403 documented; `security: []`). */
  public?: boolean;
  /** Extra documented error statuses besides the standard ones. */
  errors?: Record<number, string>;
  rateLimit?: TMeta["rateLimit"];
};

const STANDARD_ERRORS: Record<number, string> = {
  400: "Invalid input (problem+json with field errors)",
  401: "Missing, unknown, revoked or expired credentials",
  403: "Role too low for this operation",
  429: "Rate limited (see Retry-After)",
  500: "Unexpected error (quote the requestId)",
};

/** OpenAPI metadata for a procedure that is also a REST operation under /api/v1. */
export function rest(method: "GET" | "POST" | "PATCH" | "DELETE", path: `/${string}`, options: TRestOptions): TMeta {
  const bodyErrors: Record<number, string> = method === "POST" || method === "PATCH" ? { 413: "Request body larger than 1 MiB" } : {};
  // A public operation still validates its input (strict: an unknown query parameter is a 400).
  const errors: Record<number, string> = options.public
    ? { 400: STANDARD_ERRORS[400]!, 500: STANDARD_ERRORS[500]!, ...options.errors }
    : { ...STANDARD_ERRORS, ...bodyErrors, ...options.errors };
  return {
    rateLimit: options.rateLimit,
    openapi: {
      method,
      path,
      summary: options.summary,
      description: options.description,
      tags: options.tags,
      protect: !options.public,
      errorResponses: errors,
    },
  };
}
