import { sql, type CompiledQuery } from 'kysely';
import type { DbOrTx } from './database.ts';

// Savepoints inside a `db.transaction().execute()` callback. Kysely's typed savepoint API
// (`savepoint()`, `rollbackToSavepoint()`, `releaseSavepoint()`) exists only on a controlled
// transaction (`db.startTransaction()`), so these say it in SQL. Names are internal
// identifiers chosen by the caller, never request input, and are quoted as identifiers anyway.

/** `SAVEPOINT name`, compiled for a caller that sends it itself (deferred work). */
export function savepointQuery(tx: DbOrTx, name: string): CompiledQuery {
  return sql`SAVEPOINT ${sql.id(name)}`.compile(tx);
}

export async function rollbackToSavepoint(tx: DbOrTx, name: string) {
  await sql`ROLLBACK TO SAVEPOINT ${sql.id(name)}`.execute(tx);
}
