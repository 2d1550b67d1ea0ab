import { sql, type Kysely } from 'kysely';

// The order gate looked for any event of the current version, which scanned the plant's whole
// event log on every order write (schedule_events is keyed by (plant_id, seq)): writes slowed
// down as a plant aged. The current version's event is always the plant's last one, so a
// primary-key lookup of seq = event_seq says the same in O(1).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE OR REPLACE FUNCTION drumbeat_check_reschedule() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      p plants%ROWTYPE;
    BEGIN
      SELECT * INTO p FROM plants WHERE id = NEW.plant_id;
      IF p.version_txid IS DISTINCT FROM txid_current() THEN
        RAISE EXCEPTION 'order % of plant % changed outside a reschedule', NEW.id, NEW.plant_id
          USING ERRCODE = 'P0A01', HINT = 'Orders enter or change only through the Drumbeat API, which reschedules.';
      END IF;
      IF NOT EXISTS (SELECT 1 FROM schedule_events e
                     WHERE e.plant_id = NEW.plant_id AND e.seq = p.event_seq
                       AND e.schedule_version = p.schedule_version) THEN
        RAISE EXCEPTION 'schedule version % of plant % has no event', p.schedule_version, NEW.plant_id
          USING ERRCODE = 'P0A01';
      END IF;
      RETURN NULL;
    END $$`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE OR REPLACE FUNCTION drumbeat_check_reschedule() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      p plants%ROWTYPE;
    BEGIN
      SELECT * INTO p FROM plants WHERE id = NEW.plant_id;
      IF p.version_txid IS DISTINCT FROM txid_current() THEN
        RAISE EXCEPTION 'order % of plant % changed outside a reschedule', NEW.id, NEW.plant_id USING ERRCODE = 'P0A01';
      END IF;
      IF NOT EXISTS (SELECT 1 FROM schedule_events e
                     WHERE e.plant_id = NEW.plant_id AND e.schedule_version = p.schedule_version) THEN
        RAISE EXCEPTION 'schedule version % of plant % has no event', p.schedule_version, NEW.plant_id USING ERRCODE = 'P0A01';
      END IF;
      RETURN NULL;
    END $$`.execute(db);
}
