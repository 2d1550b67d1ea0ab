import { sql, type Kysely } from 'kysely';

// The gate accepts an order change in a transaction that set the plant's version_txid to its
// own, as long as the plant's current version has its event at commit. 0024 ties version_txid
// to a new schedule_version within one UPDATE, but a second UPDATE could set the version back
// (version_txid unchanged): the old version's event is then still the plant's last, and an
// order changed with no new version and no event. A plant's schedule version and event
// sequence only ever rise (the writer sets them to the locked values plus its batch's; nothing
// else writes them), so the database refuses any fall.
//
// The gate's functions ran with the caller's search_path and name their tables unqualified, and
// pg_temp comes first for relations unless named: a session that created a temporary table
// `plants` (PUBLIC may create temporary tables by default) had the gate read its own copy, with
// its own version_txid, and changed an order with no new version or event. Every function here
// now runs with the search_path pinned to the schema its tables are in (the one migrated into,
// not necessarily public) and pg_temp last; pg_catalog, not named, stays first, so no caller
// can shadow a built-in either. Pinned on every drumbeat_ function of the schema, the batch
// write functions of 0024 included: a later CREATE OR REPLACE drops the setting unless it says
// SET search_path itself (a test checks every function). Revoking TEMPORARY would not do: it
// is PUBLIC's, on the whole database, and any schema the role may create in would shadow too.
// The cost: about 1 µs more per call for the setting's switch and restore (per gated row).
export async function up(db: Kysely<unknown>): Promise<void> {
  const schema = await currentSchema(db);
  for (const fn of await drumbeatFunctions(db)) {
    await sql`ALTER FUNCTION ${sql.raw(fn)} SET search_path = ${sql.id(schema)}, pg_temp`.execute(db);
  }

  await sql`
    CREATE TRIGGER plants_versions_never_fall BEFORE UPDATE ON plants
      FOR EACH ROW WHEN (NEW.schedule_version < OLD.schedule_version OR NEW.event_seq < OLD.event_seq)
      EXECUTE FUNCTION drumbeat_refuse('a plant''s schedule version and event sequence never fall')`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TRIGGER plants_versions_never_fall ON plants`.execute(db);
  for (const fn of await drumbeatFunctions(db)) await sql`ALTER FUNCTION ${sql.raw(fn)} RESET search_path`.execute(db);
}

async function currentSchema(db: Kysely<unknown>): Promise<string> {
  const { rows } = await sql<{ schema: string }>`SELECT current_schema() AS schema`.execute(db);
  return rows[0]!.schema;
}

/** Every function the migrations created, as a signature ALTER FUNCTION takes (regprocedure). */
async function drumbeatFunctions(db: Kysely<unknown>): Promise<string[]> {
  const { rows } = await sql<{ fn: string }>`
    SELECT p.oid::regprocedure::text AS fn FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
     WHERE n.nspname = current_schema() AND p.proname LIKE 'drumbeat\\_%' ORDER BY 1`.execute(db);
  return rows.map((r) => r.fn);
}
