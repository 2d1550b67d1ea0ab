import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertQuoteLog, type QuoteLogInsert } from '../../src/db/repos/quote-log.ts';
import { timeOrderedId } from '../../src/domain/promising/quotes.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { seedPlant } from '../helpers/builders.ts';
import { databaseKinds } from '../helpers/planning.ts';

const row = (at: Date): QuoteLogInsert => ({
  plant_id: 'plant-1',
  id: timeOrderedId(at),
  at: at.toISOString(),
  actor: 'sales key (sales)',
  sku: 'P1',
  quantity: 3,
  requested_date: null,
  earliest_promise_date: '2026-12-01',
  requested_feasible: null,
  drum_load_minutes: 30,
  schedule_version: 1,
  owner: 'key:sales',
  customer: null,
});

// The quote recorder writes fresh batches without ON CONFLICT and retries with it: a retry of a
// write whose commit went through must store nothing twice and must not fail.
describe.each(databaseKinds())('quote_log batches on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ kind });
    await seedPlant(t, 'plant-1');
  });
  afterAll(async () => t.close());

  const count = async () =>
    (
      await t.db.db
        .selectFrom('quote_log')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow()
    ).n;

  it('a retried batch skips the records already stored; a fresh batch with a stored id is refused, never stored twice', async () => {
    const first = [row(new Date('2026-11-23T08:00:00Z')), row(new Date('2026-11-23T08:00:01Z'))];
    await insertQuoteLog(t.db.db, first, { mayExist: false });
    const retried = [...first, row(new Date('2026-11-23T08:00:02Z'))];
    await insertQuoteLog(t.db.db, retried, { mayExist: true });
    expect(Number(await count())).toBe(3);
    await expect(insertQuoteLog(t.db.db, [first[0]!], { mayExist: false })).rejects.toThrow();
    expect(Number(await count())).toBe(3);
  });
});
