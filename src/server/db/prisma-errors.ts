/** Recognises database errors by SQLSTATE or Prisma code anywhere in the cause chain. */
function someInChain(error: unknown, test: (record: Record<string, unknown>) => boolean): boolean {
  const seen = new Set<unknown>();
  const stack: unknown[] = [error];
  while (stack.length > 0) {
    const current = stack.pop();
    if (!current || typeof current !== "object" || seen.has(current)) continue;
    seen.add(current);
    const record = current as Record<string, unknown>;
    if (test(record)) return true;
    stack.push(record.cause, record.meta, record.driverAdapterError);
  }
  return false;
}

/** Unique violation: Prisma P2002, or SQLSTATE 23505 through the pg driver adapter. */
export function isUniqueViolation(error: unknown): boolean {
  return someInChain(error, (r) => r.code === "P2002" || r.code === "23505" || r.originalCode === "23505" || r.kind === "UniqueConstraintViolation");
}

/** Serialization failure or deadlock: worth retrying the whole transaction. */
export function isWriteConflict(error: unknown): boolean {
  return someInChain(
    error,
    (r) =>
      r.code === "P2034" ||
      r.code === "40001" ||
      r.code === "40P01" ||
      r.originalCode === "40001" ||
      r.originalCode === "40P01" ||
      r.kind === "TransactionWriteConflict",
  );
}

/** Record not found for update/delete: Prisma P2025. */
export function isRecordNotFound(error: unknown): boolean {
  return someInChain(error, (r) => r.code === "P2025");
}

/**
 * Text PostgreSQL cannot store: a NUL character (22021) or one the encoding cannot represent
 * (22P05). Caller input, so a 400, never a 500.
 */
export function isInvalidText(error: unknown): boolean {
  return someInChain(error, (r) => r.code === "22021" || r.code === "22P05" || r.originalCode === "22021" || r.originalCode === "22P05");
}
