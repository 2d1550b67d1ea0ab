import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { foldQuotesBefore } from '../../src/domain/retention/quote-retention.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { seedPlant } from '../helpers/builders.ts';
import { databaseKinds } from '../helpers/planning.ts';

// The fold deletes a page of records bounded by the page's latest time, read back as a Date
// (milliseconds) while the column keeps microseconds: a record stored with more precision than
// a Date holds must be deleted with its page, not left behind to be counted a second time.
describe.each(databaseKinds())('folding quote records stored with microseconds on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ kind });
    await seedPlant(t, 'plant-1');
  });
  afterAll(async () => t.close());

  it('deletes every folded record and counts each once', async () => {
    await sql`
      INSERT INTO quote_log (plant_id, id, at, actor, sku, quantity, earliest_promise_date, drum_load_minutes, schedule_version, owner)
      SELECT 'plant-1', gen_random_uuid(), timestamptz '2026-11-20 08:00:00.000999+00' + g * interval '1 minute', 'test', 'P1', 1,
             date '2026-11-27', 30, 1, 'key:sales'
        FROM generate_series(0, 2) g`.execute(t.db.db);
    expect(await foldQuotesBefore(t.db.db, 'plant-1', new Date('2026-11-21T00:00:00Z'))).toBe(3);
    const left = await t.db.db.selectFrom('quote_log').select('id').execute();
    expect(left).toEqual([]);
    const daily = await t.db.db
      .selectFrom('quote_daily')
      .select(sql<number>`sum(quotes)::int`.as('n'))
      .executeTakeFirstOrThrow();
    expect(daily.n).toBe(3);
  });
});
