/** Driver error classification, the same for SQLite (better-sqlite3) and MySQL (mysql2). */
function codeOf(e: unknown): string | undefined {
  const err = e as { code?: string; driverError?: { code?: string } } | undefined;
  return err?.driverError?.code ?? err?.code;
}

/** A unique index refused the row. */
export function isDuplicate(e: unknown): boolean {
  const code = codeOf(e);
  return code === 'ER_DUP_ENTRY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/** Deadlocks, lock wait time-outs, SQLite busy: safe to run again. */
export function isTransient(e: unknown): boolean {
  const code = codeOf(e);
  return (
    code === 'ER_LOCK_DEADLOCK' ||
    code === 'ER_LOCK_WAIT_TIMEOUT' ||
    code === 'SQLITE_BUSY' ||
    code === 'SQLITE_LOCKED'
  );
}
