import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertQuoteLog, type QuoteLogInsert } from '../../src/db/repos/quote-log.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { aQuoteRecord, seedPlant } from '../helpers/builders.ts';
import { databaseKinds } from '../helpers/planning.ts';

const row = (at: Date): QuoteLogInsert => aQuoteRecord(at);

// The quote recorder writes fresh batches without ON CONFLICT and retries with it: a retry of a
// write whose commit went through must store nothing twice and must not fail.
describe.each(databaseKinds())('quote_log batches on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ kind });
    await seedPlant(t, 'plant-1');
  });
  afterAll(async () => t.close());

  // The records of 2026-11-23 (the other tests write later days'; tests run in random order).
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
      .where('at', '<', new Date('2026-11-25T00:00:00Z'))
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

  // A fresh batch goes as a binary COPY on PostgreSQL (quote-log-columns.ts encodes every
  // column by hand), a retried one as unnest's array literals: both must store the same values.
  it('a fresh batch stores every column exactly as a retried one does', async () => {
    const variants = (day: number): QuoteLogInsert[] => [
      { ...row(new Date(Date.UTC(2026, 10, day, 8, 0, 0, 1))), requestedDate: '2026-12-31', requestedFeasible: true },
      {
        ...row(new Date(Date.UTC(2026, 10, day, 8, 0, 0, 999))),
        requestedDate: '2000-01-01',
        requestedFeasible: false,
        quantity: 2_147_483_647,
      },
      { ...row(new Date(Date.UTC(2026, 10, day, 9))), id: 'ffffffff-ffff-7fff-bfff-ffffffffffff', drumLoadMinutes: 0, customer: 'c' },
      { ...row(new Date(Date.UTC(2026, 10, day, 10))), id: '00000000-0000-7000-8000-000000000000', owner: null, scheduleVersion: 0 },
      { ...row(new Date(Date.UTC(2026, 10, day, 23, 59, 59, 999))), earliestPromiseDate: '1999-12-31', scheduleVersion: 2 ** 40 + 7 },
    ];
    const stored = async (day: number) =>
      (
        await t.db.db
          .selectFrom('quote_log')
          .selectAll()
          .where('at', '>=', new Date(Date.UTC(2026, 10, day)))
          .where('at', '<', new Date(Date.UTC(2026, 10, day + 1)))
          .orderBy('at')
          .execute()
      ).map(({ id, at, ...rest }) => ({ ...rest, id: id.slice(0, 24), time: at.toISOString().slice(11) }));
    const fresh = variants(25);
    const retried = variants(26).map((r, i) => ({ ...r, id: `${fresh[i]!.id.slice(0, 24)}${'0'.repeat(12)}` }));
    await insertQuoteLog(t.db.db, fresh, { mayExist: false });
    await insertQuoteLog(t.db.db, retried, { mayExist: true });
    const a = await stored(25);
    expect(a).toEqual(await stored(26));
    expect(a.map((r) => r.id)).toEqual(fresh.map((r) => r.id.slice(0, 24)));
    expect(a.map((r) => [r.requested_date, r.earliest_promise_date, r.schedule_version])).toEqual([
      ['2026-12-31', '2026-12-01', 1],
      ['2000-01-01', '2026-12-01', 1],
      [null, '2026-12-01', 1],
      [null, '2026-12-01', 0],
      [null, '1999-12-31', 2 ** 40 + 7],
    ]);
  });
});
