import { sql, type Kysely } from 'kysely';

// Orders frozen at the head of the drum keep the order they were frozen in, in every process
// and across restarts, so their rank is stored with them.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE orders ADD COLUMN pin_rank bigint`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE orders DROP COLUMN pin_rank`.execute(db);
}
