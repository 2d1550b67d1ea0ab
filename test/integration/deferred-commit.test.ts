import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { rollbackToSavepoint } from '../../src/db/savepoints.ts';
import { useWriter, writerKinds } from '../helpers/writer-plant.ts';

// A statement whose failure its caller catches leaves the transaction aborted, and PostgreSQL
// answers a COMMIT after it with a ROLLBACK, not an error: without a check, the caller would
// report as committed what never was (found in review of the cross-plant group commit, where
// one plant's deferred rows fail inside the next plant's write). The transaction's connection
// (db/deferred-statements.ts) refuses such a COMMIT, unless a ROLLBACK TO SAVEPOINT undid the failure.
describe.each(writerKinds())('a transaction with a failed statement on %s', (kind) => {
  const h = useWriter(kind, async (h) => {
    await sql`CREATE TABLE IF NOT EXISTS deferred_commit_probe (id int PRIMARY KEY)`.execute(h.db.db);
  });
  const stored = async (id: number) =>
    (await sql<{ n: number }>`SELECT count(*)::int AS n FROM deferred_commit_probe WHERE id = ${id}`.execute(h.db.db)).rows[0]!.n;

  it('cannot commit once a failure was caught and not rolled back', async () => {
    const id = Math.floor(Math.random() * 1e9);
    const run = h.db.db.transaction().execute(async (tx) => {
      await sql`INSERT INTO deferred_commit_probe (id) VALUES (${id})`.execute(tx);
      await sql`INSERT INTO deferred_commit_probe (id) VALUES (${id})`.execute(tx).catch(() => 'swallowed');
      return 'committed';
    });
    await expect(run).rejects.toThrow(/cannot commit/);
    expect(await stored(id)).toBe(0);
  });

  it('commits when a ROLLBACK TO SAVEPOINT undid the failure', async () => {
    const id = Math.floor(Math.random() * 1e9);
    const run = h.db.db.transaction().execute(async (tx) => {
      await sql`INSERT INTO deferred_commit_probe (id) VALUES (${id})`.execute(tx);
      await sql`SAVEPOINT probe`.execute(tx);
      await sql`INSERT INTO deferred_commit_probe (id) VALUES (${id})`.execute(tx).catch(() => 'swallowed');
      await rollbackToSavepoint(tx, 'probe');
      return 'committed';
    });
    await expect(run).resolves.toBe('committed');
    expect(await stored(id)).toBe(1);
  });

  it('the next transaction on the connection commits as usual', async () => {
    const id = Math.floor(Math.random() * 1e9);
    await h.db.db
      .transaction()
      .execute(async (tx) => {
        await sql`SELECT 1/0`.execute(tx).catch(() => 'swallowed');
      })
      .catch(() => 'refused');
    await h.db.db.transaction().execute((tx) => sql`INSERT INTO deferred_commit_probe (id) VALUES (${id})`.execute(tx));
    expect(await stored(id)).toBe(1);
  });
});
