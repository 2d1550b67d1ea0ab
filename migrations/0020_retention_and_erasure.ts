import { sql, type Kysely } from 'kysely';

/** What an erased customer's name becomes: `customer-` and 12 hex digits (src/domain/retention/customer-erasure.ts). */
const PSEUDONYM_PATTERN = '^customer-[0-9a-f]{12}$';

// Retention and data care (issue 16 item 5).
//
// quote_daily: quote records older than the retention, folded into counts per plant-local day
// and every key the KPIs read them by (product, customer, salesperson, quoted lead time,
// converted), so the KPIs over a pruned period give the same answer as over the rows.
//
// The event log stays append-only except for one change: a customer's name in an event may be
// replaced by a pseudonym (an erasure). The trigger checks that nothing else differs and that
// the new name has the pseudonym's shape, so even raw SQL of the service's role can erase a
// name but not rewrite history.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE quote_daily (
      plant_id text NOT NULL REFERENCES plants (id),
      day date NOT NULL,
      sku text NOT NULL,
      customer text,
      owner text,
      lead_time_days integer NOT NULL,
      converted boolean NOT NULL,
      quotes integer NOT NULL CHECK (quotes > 0)
    )`.execute(db);
  await sql`CREATE INDEX quote_daily_plant_day ON quote_daily (plant_id, day)`.execute(db);

  await sql`
    CREATE FUNCTION drumbeat_event_only_erased() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      path text[];
    BEGIN
      IF TG_OP = 'UPDATE'
         AND (NEW.plant_id, NEW.seq, NEW.schedule_version, NEW.type, NEW.actor, NEW.at, NEW.order_id)
             IS NOT DISTINCT FROM (OLD.plant_id, OLD.seq, OLD.schedule_version, OLD.type, OLD.actor, OLD.at, OLD.order_id)
         AND (NEW.data #- '{customer}' #- '{before,customer}' #- '{after,customer}')
             = (OLD.data #- '{customer}' #- '{before,customer}' #- '{after,customer}') THEN
        FOREACH path SLICE 1 IN ARRAY ARRAY[ARRAY['customer', ''], ARRAY['before', 'customer'], ARRAY['after', 'customer']] LOOP
          path := array_remove(path, '');
          -- Only a name that was there may change, and only into a pseudonym: never added, removed
          -- or nulled (NULL !~ pattern is NULL, which IF treats as false, hence the explicit tests).
          IF (NEW.data #>> path) IS DISTINCT FROM (OLD.data #>> path)
             AND ((OLD.data #>> path) IS NULL OR (NEW.data #>> path) IS NULL
                  OR (NEW.data #>> path) !~ '${sql.raw(PSEUDONYM_PATTERN)}') THEN
            RAISE EXCEPTION 'the event log is append-only: a customer name may only become a pseudonym'
              USING ERRCODE = 'P0A01', HINT = 'Schedule data changes only through the Drumbeat API.';
          END IF;
        END LOOP;
        RETURN NEW;
      END IF;
      RAISE EXCEPTION 'the event log is append-only'
        USING ERRCODE = 'P0A01', HINT = 'Schedule data changes only through the Drumbeat API.';
    END $$`.execute(db);
  await sql`DROP TRIGGER schedule_events_append_only ON schedule_events`.execute(db);
  await sql`
    CREATE TRIGGER schedule_events_append_only BEFORE UPDATE OR DELETE ON schedule_events
      FOR EACH ROW EXECUTE FUNCTION drumbeat_event_only_erased()`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TRIGGER schedule_events_append_only ON schedule_events`.execute(db);
  await sql`
    CREATE TRIGGER schedule_events_append_only BEFORE UPDATE OR DELETE ON schedule_events
      FOR EACH ROW EXECUTE FUNCTION drumbeat_refuse('the event log is append-only')`.execute(db);
  await sql`DROP FUNCTION drumbeat_event_only_erased()`.execute(db);
  await sql`DROP TABLE quote_daily`.execute(db);
}
