import { sql, type Kysely } from 'kysely';

// A product may state its own standard lead time (working days); null: the plant's. The
// effective lead time is never shorter than the product's production buffer (the domain
// refuses an explicit one below it), so the column only bounds the count like the plant policy's.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE products
      ADD COLUMN standard_lead_time_days integer CHECK (standard_lead_time_days BETWEEN 0 AND 730)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE products DROP COLUMN standard_lead_time_days`.execute(db);
}
