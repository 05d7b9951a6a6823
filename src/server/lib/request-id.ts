import { randomUUID } from "node:crypto";

const WELL_FORMED = /^[A-Za-z0-9._:-]{8,128}$/;

/** The caller's x-request-id when well-formed (so traces join up), else a fresh one. */
export function requestIdFrom(headers: Headers): string {
  const given = headers.get("x-request-id");
  return given && WELL_FORMED.test(given) ? given : randomUUID();
}
