import { sql, type Kysely } from 'kysely';

// Web board sessions (issue 17): the browser trades an API key once for a session cookie, so
// the key never sits in page storage. Only a SHA-256 of the cookie's random token is stored;
// the CSRF token is stored as is (it is sent to the page and guards nothing against the cookie
// holder). A session names its key, so revoking the key ends the session at the next request.
// The `floor` role (release, progress, complete, ship) joins the roles a key may have.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE api_keys DROP CONSTRAINT api_keys_role_check`.execute(db);
  await sql`ALTER TABLE api_keys ADD CONSTRAINT api_keys_role_check CHECK (role IN ('admin', 'planner', 'sales', 'erp', 'floor'))`.execute(
    db,
  );
  await sql`
    CREATE TABLE web_sessions (
      token_hash  text PRIMARY KEY,
      key_id      text NOT NULL REFERENCES api_keys (id),
      csrf_token  text NOT NULL,
      created_at  timestamptz NOT NULL,
      expires_at  timestamptz NOT NULL,
      CHECK (expires_at > created_at)
    )`.execute(db);
  await sql`CREATE INDEX web_sessions_expires ON web_sessions (expires_at)`.execute(db);
  await sql`CREATE INDEX web_sessions_key ON web_sessions (key_id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE web_sessions`.execute(db);
  // Floor keys may be named by events and idempotency records: keep the rows, revoked, under a role that still exists.
  await sql`UPDATE api_keys SET role = 'erp', revoked_at = COALESCE(revoked_at, now()) WHERE role = 'floor'`.execute(db);
  await sql`ALTER TABLE api_keys DROP CONSTRAINT api_keys_role_check`.execute(db);
  await sql`ALTER TABLE api_keys ADD CONSTRAINT api_keys_role_check CHECK (role IN ('admin', 'planner', 'sales', 'erp'))`.execute(db);
}
