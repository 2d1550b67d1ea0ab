import { sql, type Kysely } from 'kysely';

// The gate accepts an order change in a transaction that set the plant's version_txid to its
// own, as long as the plant's current version has its event at commit. 0024 ties version_txid
// to a new schedule_version within one UPDATE, but a second UPDATE could set the version back
// (version_txid unchanged): the old version's event is then still the plant's last, and an
// order changed with no new version and no event. A plant's schedule version and event
// sequence only ever rise (the writer sets them to the locked values plus its batch's; nothing
// else writes them), so the database refuses any fall.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TRIGGER plants_versions_never_fall BEFORE UPDATE ON plants
      FOR EACH ROW WHEN (NEW.schedule_version < OLD.schedule_version OR NEW.event_seq < OLD.event_seq)
      EXECUTE FUNCTION drumbeat_refuse('a plant''s schedule version and event sequence never fall')`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TRIGGER plants_versions_never_fall ON plants`.execute(db);
}
