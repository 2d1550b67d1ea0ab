import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgres } from '../../src/db/connect.ts';
import { insertQuoteLog, type QuoteLogInsert } from '../../src/db/repos/quote-log.ts';
import { QuoteRecorder } from '../../src/domain/quote-recorder.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { aQuoteRecord, seedPlant } from '../helpers/builders.ts';
import { realPostgresAvailable } from '../helpers/db.ts';

// Review of the quote records' binary COPY (quote-log-columns.ts quoteLogCopyBinary,
// pg-driver.ts copyFrom): PostgreSQL only (PGlite writes them with unnest).

let seq = 0;
const row = (day: number, over: Partial<QuoteLogInsert> = {}): QuoteLogInsert =>
  aQuoteRecord(new Date(Date.UTC(2026, 10, day, 8, 0, 0, seq++)), over);

describe.skipIf(!realPostgresAvailable())('quote_log binary COPY under attack', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ kind: 'postgres' });
    await seedPlant(t, 'plant-1');
  }, 60_000);
  afterAll(async () => t?.close());

  const storedOn = async (day: number) =>
    t.db.db
      .selectFrom('quote_log')
      .selectAll()
      .where('at', '>=', new Date(Date.UTC(2026, 10, day)))
      .where('at', '<', new Date(Date.UTC(2026, 10, day + 1)))
      .orderBy('at')
      .execute();

  /** quote_log rows with customer 'slow' take `seconds` each to insert (a BEFORE trigger), so a COPY is caught mid-way. */
  async function slowRows(seconds: number) {
    await sql`CREATE OR REPLACE FUNCTION review_slow_quote() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.customer = 'slow' THEN PERFORM pg_sleep(${sql.lit(seconds)}); END IF; RETURN NEW; END $$`.execute(t.db.db);
    await sql`DROP TRIGGER IF EXISTS review_slow_quote ON quote_log`.execute(t.db.db);
    await sql`CREATE TRIGGER review_slow_quote BEFORE INSERT ON quote_log FOR EACH ROW EXECUTE FUNCTION review_slow_quote()`.execute(
      t.db.db,
    );
    return async () => {
      await sql`DROP TRIGGER IF EXISTS review_slow_quote ON quote_log`.execute(t.db.db);
    };
  }

  // The FATAL error rejects the COPY before its socket's end is seen, so the pool may hand the
  // dead client out once more (as after any terminated statement, unnest's too: 1–3 of 8 runs
  // each): the retry may fail once with "Connection terminated". No record is lost or doubled.
  it('a COPY whose backend is terminated mid-way: retried until stored, every record once', async () => {
    const one = openPostgres(t.db.url!, 1);
    const errors: unknown[] = [];
    const recorder = new QuoteRecorder(one.db, 5_000, (err) => errors.push(err));
    const undo = await slowRows(5);
    try {
      const day = 40 + seq;
      const rows = [row(day), row(day, { customer: 'slow' }), row(day)];
      for (const r of rows) recorder.record({ ...r, owner: r.owner ?? 'key:sales' });
      const flushed = recorder.flush();
      // Wait for the COPY to be inside the slow row, then end its backend.
      let killed = false;
      for (let i = 0; i < 200 && !killed; i++) {
        await new Promise((r) => setTimeout(r, 25));
        const { rows: k } = await sql<{ ok: boolean }>`
          SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity
           WHERE datname = current_database() AND query LIKE 'COPY quote_log%' AND wait_event = 'PgSleep'`.execute(t.db.db);
        killed = k.length > 0;
      }
      expect(killed).toBe(true);
      await flushed;
      expect(errors).toHaveLength(1);
      expect(recorder.pending).toBe(3);
      await undo();
      for (let i = 0; i < 3 && recorder.pending > 0; i++) await recorder.flush();
      expect(errors.length).toBeLessThanOrEqual(2);
      expect(recorder.pending).toBe(0);
      expect((await storedOn(day)).map((r) => r.id)).toEqual(rows.map((r) => r.id));
      // The pool's one connection serves again.
      expect((await sql<{ n: number }>`SELECT 1 AS n`.execute(one.db)).rows[0]!.n).toBe(1);
    } finally {
      await undo();
      await one.close();
    }
  });

  it('a COPY cancelled by statement_timeout leaves the one pooled connection usable; the retry stores every record once', async () => {
    const url = new URL(t.db.url!);
    url.searchParams.set('options', '-c statement_timeout=300');
    const one = openPostgres(url.toString(), 1);
    const errors: unknown[] = [];
    const recorder = new QuoteRecorder(one.db, 5_000, (err) => errors.push(err));
    const undo = await slowRows(2);
    try {
      const rows = [row(4), row(4, { customer: 'slow' }), row(4)];
      for (const r of rows) recorder.record({ ...r, owner: r.owner ?? 'key:sales' });
      await recorder.flush();
      expect(errors).toHaveLength(1);
      expect(String((errors[0] as Error).message)).toMatch(/statement timeout/);
      await undo();
      await recorder.flush();
      expect(errors).toHaveLength(1);
      expect((await storedOn(4)).map((r) => r.id)).toEqual(rows.map((r) => r.id));
      expect((await sql<{ statement_timeout: string }>`SHOW statement_timeout`.execute(one.db)).rows[0]!.statement_timeout).toBe('300ms');
    } finally {
      await undo();
      await one.close();
    }
  });

  it('a fresh batch refused by a constraint (a record already stored) is retried with ON CONFLICT on the same connection: the rest stored once', async () => {
    const one = openPostgres(t.db.url!, 1);
    const errors: unknown[] = [];
    const recorder = new QuoteRecorder(one.db, 5_000, (err) => errors.push(err));
    try {
      const stored = row(5);
      await insertQuoteLog(t.db.db, [stored], { mayExist: false });
      const rows = [row(5), stored, row(5)];
      for (const r of rows) recorder.record({ ...r, owner: r.owner ?? 'key:sales' });
      await recorder.flush();
      expect(errors).toHaveLength(1);
      await recorder.flush();
      expect(errors).toHaveLength(1);
      expect(recorder.pending).toBe(0);
      expect((await storedOn(5)).map((r) => r.id).sort()).toEqual([stored.id, rows[0]!.id, rows[2]!.id].sort());
      // And a fresh COPY again on that connection.
      await insertQuoteLog(one.db, [row(5)], { mayExist: false });
      expect(await storedOn(5)).toHaveLength(4);
    } finally {
      await one.close();
    }
  });

  it('many COPYs and failures in turn on one connection: each answers, none hangs', async () => {
    const one = openPostgres(t.db.url!, 1);
    try {
      const dup = row(6);
      await insertQuoteLog(one.db, [dup], { mayExist: false });
      for (let i = 0; i < 20; i++) {
        if (i % 2) await expect(insertQuoteLog(one.db, [row(6), dup], { mayExist: false })).rejects.toThrow(/duplicate key/);
        else await insertQuoteLog(one.db, [row(6)], { mayExist: false });
        expect((await sql<{ n: number }>`SELECT 1 AS n`.execute(one.db)).rows[0]!.n).toBe(1);
      }
      expect(await storedOn(6)).toHaveLength(11);
      // A COPY inside a transaction that fails leaves the transaction failed, not half-written.
      await expect(
        one.db.transaction().execute(async (tx) => {
          await insertQuoteLog(tx as never, [row(6)], { mayExist: false });
          await insertQuoteLog(tx as never, [row(6), dup], { mayExist: false });
        }),
      ).rejects.toThrow();
      expect(await storedOn(6)).toHaveLength(11);
    } finally {
      await one.close();
    }
  });

  // A fresh batch goes as binary COPY, a retried one through unnest; quote-log-insert.test.ts
  // says both must store the same values. The binary encoder writes what DataView and
  // Date.UTC make of a value where unnest's text input refuses it or reads it as written.
  // None is reachable from the API today (a quote needing more drum minutes than the horizon
  // holds is a 409, a past requested date a 400, dates are checked): latent, low.
  async function bothWays(over: Partial<QuoteLogInsert>) {
    const outcome = async (mayExist: boolean) => {
      const r = row(60 + seq, over);
      try {
        await insertQuoteLog(t.db.db, [r], { mayExist });
      } catch {
        return 'refused';
      }
      const stored = await t.db.db.selectFrom('quote_log').selectAll().where('id', '=', r.id).executeTakeFirstOrThrow();
      return {
        quantity: stored.quantity,
        drum: stored.drum_load_minutes,
        requested: stored.requested_date,
        at: stored.at.getTime() - r.at.getTime() || 0,
      };
    };
    return { copy: await outcome(false), unnest: await outcome(true) };
  }

  it('an integer past int4 (drum minutes 2^31, quantity 2^32 + 5) is refused by the COPY as by unnest, not stored wrapped', async () => {
    for (const over of [{ drumLoadMinutes: 2 ** 31 }, { quantity: 2 ** 32 + 5 }]) {
      const { copy, unnest } = await bothWays(over);
      expect(unnest).toBe('refused');
      expect(copy).toBe('refused'); // stored as drum -2147483648 and quantity 5
    }
  });

  it('a fractional drum load is refused by the COPY as by unnest, not truncated', async () => {
    const { copy, unnest } = await bothWays({ drumLoadMinutes: 1.5 });
    expect(unnest).toBe('refused');
    expect(copy).toBe('refused'); // stored as 1
  });

  it('a requested date in the years 0001–0099 is stored as written (Date.UTC reads years 0–99 as 1900–1999)', async () => {
    const { copy, unnest } = await bothWays({ requestedDate: '0050-06-01' });
    expect(unnest).toMatchObject({ requested: '0050-06-01' });
    expect(copy).toEqual(unnest); // stored as 1950-06-01
  });

  it('an impossible date or an invalid instant is refused by the COPY as by unnest, not rolled over', async () => {
    for (const over of [{ requestedDate: '2026-02-30' }, { at: new Date(Number.NaN) }]) {
      const { copy, unnest } = await bothWays(over);
      expect(unnest).toBe('refused');
      expect(copy).toBe('refused'); // stored as 2026-03-02, and at 2000-01-01T00:00:00Z
    }
  });
});
