import { sql, type Kysely } from 'kysely';

// Who changed the rules the schedule is computed from: key creation and revocation, plants,
// resources and calendars, products and routings, buffer policies. Schedule changes have their
// own versioned event log; these have no schedule version, so they get an append-only log of
// their own. plant_id is null for changes that belong to no plant (an unrestricted key).
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE audit_log (
      id        bigserial PRIMARY KEY,
      at        timestamptz NOT NULL,
      actor     text NOT NULL,
      action    text NOT NULL,
      plant_id  text,
      target    text NOT NULL,
      data      jsonb NOT NULL DEFAULT '{}'
    )`.execute(db);
  await sql`CREATE INDEX audit_log_plant ON audit_log (plant_id, id)`.execute(db);
  await sql`
    CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
      FOR EACH ROW EXECUTE FUNCTION drumbeat_refuse('the audit log is append-only')`.execute(db);
  await sql`
    CREATE TRIGGER audit_log_never_truncated BEFORE TRUNCATE ON audit_log
      FOR EACH STATEMENT EXECUTE FUNCTION drumbeat_refuse('the audit log is append-only')`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE audit_log`.execute(db);
}
