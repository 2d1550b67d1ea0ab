import { sql } from 'kysely';
import type { Db } from './database.ts';

/** One round trip to the database; throws when it is unreachable. Raw SQL: there is no table to select from. */
export async function pingDatabase(db: Db) {
  await sql`select 1`.execute(db);
}
