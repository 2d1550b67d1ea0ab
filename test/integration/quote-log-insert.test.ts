import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertQuoteLog, type QuoteLogInsert } from '../../src/db/repos/quote-log.ts';
import { timeOrderedId } from '../../src/domain/promising/quotes.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { seedPlant } from '../helpers/builders.ts';
import { databaseKinds } from '../helpers/planning.ts';

const row = (at: Date): QuoteLogInsert => ({
  plantId: 'plant-1',
  id: timeOrderedId(at),
  at,
  actor: 'sales key (sales)',
  sku: 'P1',
  quantity: 3,
  requestedDate: null,
  earliestPromiseDate: '2026-12-01',
  requestedFeasible: null,
  drumLoadMinutes: 30,
  scheduleVersion: 1,
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

  // The records of 2026-11-23 (the other test writes the next day's; tests run in random order).
  const count = async () =>
    (
      await t.db.db
        .selectFrom('quote_log')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('at', '<', new Date('2026-11-24T00:00:00Z'))
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

  it('stores text exactly as given, whatever it holds, and a null as null', async () => {
    const odd = ['say "hi", {twice}', 'back\\slash\\', 'NULL', '', '  padded  ', 'Grüße 😀'];
    const rows = odd.map((text, i) => ({
      ...row(new Date(Date.UTC(2026, 10, 24, 8, 0, i))),
      actor: `${text} actor`,
      sku: text,
      owner: text,
      customer: text,
    }));
    const plain = { ...row(new Date('2026-11-24T09:00:00.123Z')), requestedDate: '2026-12-02', requestedFeasible: false, owner: null };
    await insertQuoteLog(t.db.db, [...rows, plain], { mayExist: false });
    const stored = await t.db.db
      .selectFrom('quote_log')
      .selectAll()
      .where('at', '>=', new Date('2026-11-24T00:00:00Z'))
      .orderBy('at')
      .execute();
    expect(stored.map((r) => [r.actor, r.sku, r.owner, r.customer])).toEqual([
      ...odd.map((text) => [`${text} actor`, text, text, text]),
      ['sales key (sales)', 'P1', null, null],
    ]);
    expect(stored.at(-1)).toMatchObject({
      at: new Date('2026-11-24T09:00:00.123Z'),
      requested_feasible: false,
      quantity: 3,
      schedule_version: 1,
    });
  });
});
