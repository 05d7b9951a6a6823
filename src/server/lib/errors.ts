/**
 * The one error type services throw. Its code maps to a tRPC code and an HTTP status in exactly
 * one place (the API kernel), so a service never thinks about transports.
 */
export const APP_ERROR_STATUS = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  TOO_MANY_REQUESTS: 429,
  INTERNAL: 500,
} as const;

export type TAppErrorCode = keyof typeof APP_ERROR_STATUS;

export interface TFieldError {
  path: string;
  message: string;
}

export interface TAppErrorDetails {
  errors?: TFieldError[];
  retryAfterSeconds?: number;
  [key: string]: unknown;
}

export class AppError extends Error {
  constructor(
    readonly code: TAppErrorCode,
    message: string,
    readonly details: TAppErrorDetails = {},
  ) {
    super(message);
    this.name = "AppError";
  }

  get status(): number {
    return APP_ERROR_STATUS[this.code];
  }
}

/** A validation failure on one named field. */
export function fieldError(path: string, message: string): AppError {
  return new AppError("BAD_REQUEST", `${path}: ${message}`, { errors: [{ path, message }] });
}
