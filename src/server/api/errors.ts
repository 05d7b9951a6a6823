import { TRPCError } from "@trpc/server";
import { ZodError } from "zod";
import { isInvalidText, isRecordNotFound, isUniqueViolation } from "@/server/db/prisma-errors";
import { AppError, type TAppErrorCode, type TFieldError } from "@/server/lib/errors";

/**
 * The one mapping between errors and transports: AppError codes to tRPC codes (and so to HTTP
 * statuses), database errors that mean "conflict" or "not found", and zod failures to field
 * errors. Anything else is INTERNAL and shows no internals outside development.
 */
const TRPC_CODE: Record<TAppErrorCode, TRPCError["code"]> = {
  BAD_REQUEST: "BAD_REQUEST",
  UNAUTHORIZED: "UNAUTHORIZED",
  FORBIDDEN: "FORBIDDEN",
  NOT_FOUND: "NOT_FOUND",
  CONFLICT: "CONFLICT",
  PAYLOAD_TOO_LARGE: "PAYLOAD_TOO_LARGE",
  TOO_MANY_REQUESTS: "TOO_MANY_REQUESTS",
  INTERNAL: "INTERNAL_SERVER_ERROR",
};

const APP_CODE_FROM_TRPC: Partial<Record<TRPCError["code"], TAppErrorCode>> = {
  BAD_REQUEST: "BAD_REQUEST",
  PARSE_ERROR: "BAD_REQUEST",
  UNSUPPORTED_MEDIA_TYPE: "BAD_REQUEST",
  METHOD_NOT_SUPPORTED: "BAD_REQUEST",
  UNAUTHORIZED: "UNAUTHORIZED",
  FORBIDDEN: "FORBIDDEN",
  NOT_FOUND: "NOT_FOUND",
  CONFLICT: "CONFLICT",
  PAYLOAD_TOO_LARGE: "PAYLOAD_TOO_LARGE",
  TOO_MANY_REQUESTS: "TOO_MANY_REQUESTS",
};

export function zodFieldErrors(error: ZodError): TFieldError[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join(".") || "(body)",
    message: issue.code === "unrecognized_keys" ? `unknown field(s): ${issue.keys.join(", ")}` : issue.message,
  }));
}

/** Turns whatever a procedure threw into the AppError that describes it to a caller. */
export function toAppError(error: unknown): AppError {
  const cause = error instanceof TRPCError && error.cause ? error.cause : error;
  if (cause instanceof AppError) return cause;
  if (cause instanceof ZodError) {
    return new AppError("BAD_REQUEST", "Input validation failed.", { errors: zodFieldErrors(cause) });
  }
  if (isUniqueViolation(cause)) return new AppError("CONFLICT", "That conflicts with an existing record.");
  if (isRecordNotFound(cause)) return new AppError("NOT_FOUND", "Not found.");
  if (isInvalidText(cause)) return new AppError("BAD_REQUEST", "Text input must not contain NUL characters.");
  if (error instanceof TRPCError) {
    const code = APP_CODE_FROM_TRPC[error.code];
    if (code) return new AppError(code, error.code === "PARSE_ERROR" ? "The request body is not valid JSON." : error.message);
  }
  const internal = new AppError("INTERNAL", "Something went wrong on our side. Quote the request id when you report it.");
  // Kept for the server log (never shown to the caller): without it the log names no cause.
  internal.cause = cause;
  return internal;
}

export function toTRPCError(error: AppError): TRPCError {
  return new TRPCError({ code: TRPC_CODE[error.code], message: error.message, cause: error });
}
