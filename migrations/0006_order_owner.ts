import { sql, type Kysely } from 'kysely';

// Sales keys act only on their own holds and orders (DOMAIN: "confirm its holds", "read its
// orders"), so an order remembers which key created it.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE orders ADD COLUMN created_by_key text`.execute(db);
  await sql`CREATE INDEX orders_created_by_key ON orders (plant_id, created_by_key)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP INDEX orders_created_by_key`.execute(db);
  await sql`ALTER TABLE orders DROP COLUMN created_by_key`.execute(db);
}
