import { randomUUID } from 'node:crypto';
import { Migrator, sql, type Insertable } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../../migrations/index.ts';
import { type DbHandle } from '../../src/db/connect.ts';
import type { Db, OrdersTable } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { realPostgresAvailable, openEmptyDb } from '../helpers/db.ts';

let seq = 0;
function anOrder(status: OrdersTable['status'], promiseDate: string, extra: Partial<Insertable<OrdersTable>> = {}) {
  return {
    plant_id: 'p',
    id: randomUUID(),
    status,
    sku: 'P1',
    quantity: 1,
    promise_date: promiseDate,
    drum_deadline: '2026-12-01T13:00:00Z',
    drum_load_minutes: 40,
    production_buffer_days: 4,
    shipping_buffer_days: 2,
    seq: ++seq,
    changed_version: 1,
    created_by: 'test',
    created_at: new Date('2026-11-20T08:00:00Z'),
    updated_at: new Date('2026-11-20T08:00:00Z'),
    ...extra,
  } satisfies Insertable<OrdersTable>;
}

describe.each([
  ['PGlite', 'pglite' as const],
  ['PostgreSQL', 'postgres' as const],
])('migration 0012 (honest KPIs) on %s', (_name, kind) => {
  const skip = kind === 'postgres' && !realPostgresAvailable();
  let h: DbHandle;
  const o = {
    repromised: anOrder('confirmed', '2026-12-18'),
    erpMoved: anOrder('shipped', '2026-12-09', { shipped_at: '2026-12-08T10:00:00Z', promise_kept: true }),
    // Berlin: the 10th ends at 23:00Z.
    shippedAtEnd: anOrder('shipped', '2026-12-10', { shipped_at: '2026-12-10T23:00:00Z', promise_kept: true }),
    shippedAfter: anOrder('shipped', '2026-12-10', { shipped_at: '2026-12-10T23:01:00Z', promise_kept: false }),
    confirmedHold: anOrder('confirmed', '2026-12-12'),
    held: anOrder('held', '2026-12-12', { hold_expires_at: '2026-12-01T00:00:00Z' }),
  };

  beforeAll(async () => {
    if (skip) return;
    h = await openEmptyDb(kind);
    const db: Db = h.db;
    const to10 = await new Migrator({ db, provider: { getMigrations: async () => migrations } }).migrateTo('0010_product_lead_time');
    expect(to10.error).toBeUndefined();
    await db.insertInto('plants').values({ id: 'p', name: 'p', time_zone: 'Europe/Berlin' }).execute();
    await db
      .insertInto('products')
      .values({ plant_id: 'p', sku: 'P1', name: 'P1', production_buffer_days: null, shipping_buffer_days: null })
      .execute();
    const event = (s: number, type: string, orderId: string | null, data: object, at = '2026-11-21T08:00:00Z') => ({
      plant_id: 'p',
      seq: s,
      schedule_version: 1,
      type,
      actor: 'test',
      at,
      order_id: orderId,
      data: JSON.stringify(data),
    });
    await db.transaction().execute(async (tx) => {
      await sql`UPDATE plants SET schedule_version = 1, event_seq = 6, version_txid = txid_current() WHERE id = 'p'`.execute(tx);
      await tx
        .insertInto('schedule_events')
        .values([
          event(1, 'order.repromised', o.repromised.id, { from: '2026-12-15', to: '2026-12-16', reason: 'r' }),
          event(2, 'order.repromised', o.repromised.id, { from: '2026-12-16', to: '2026-12-18', reason: 'r' }),
          event(3, 'order.updated', o.erpMoved.id, { before: { promiseDate: '2026-12-05' }, after: { promiseDate: '2026-12-09' } }),
          event(4, 'order.updated', o.erpMoved.id, { before: { promiseDate: '2026-12-09' }, after: { promiseDate: '2026-12-09' } }),
          event(5, 'order.confirmed', o.confirmedHold.id, {}, '2026-11-22T09:30:00Z'),
          event(6, 'test', null, {}),
        ])
        .execute();
      await tx.insertInto('orders').values(Object.values(o)).execute();
    });
    await migrateToLatest(db);
  });
  afterAll(async () => h?.close());

  const row = (id: string) =>
    h.db
      .selectFrom('orders')
      .select(['original_promise_date', 'original_promise_kept', 'confirmed_at', 'quote_id'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();

  it.skipIf(skip)('takes the original promise from the first re-promise or ERP date move, else the promise date', async () => {
    expect((await row(o.repromised.id)).original_promise_date).toBe('2026-12-15');
    expect((await row(o.erpMoved.id)).original_promise_date).toBe('2026-12-05');
    expect((await row(o.shippedAtEnd.id)).original_promise_date).toBe('2026-12-10');
    expect(await row(o.held.id)).toEqual({ original_promise_date: null, original_promise_kept: null, confirmed_at: null, quote_id: null });
  });

  it.skipIf(skip)('judges shipped orders against the original promise, kept at the exact end of its local day', async () => {
    expect((await row(o.erpMoved.id)).original_promise_kept).toBe(false); // shipped the 8th, first promised the 5th
    expect((await row(o.shippedAtEnd.id)).original_promise_kept).toBe(true);
    expect((await row(o.shippedAfter.id)).original_promise_kept).toBe(false);
    expect((await row(o.repromised.id)).original_promise_kept).toBe(null);
  });

  it.skipIf(skip)('enters an order when its hold was confirmed, else when it was created', async () => {
    expect((await row(o.confirmedHold.id)).confirmed_at).toEqual(new Date('2026-11-22T09:30:00Z'));
    expect((await row(o.repromised.id)).confirmed_at).toEqual(new Date('2026-11-20T08:00:00Z'));
  });

  it.skipIf(skip)('changes the original promise only in a reschedule', async () => {
    const refused = await sql`UPDATE orders SET original_promise_date = '2026-12-31' WHERE id = ${o.repromised.id}`.execute(h.db).then(
      () => null,
      (e: { code?: string }) => e.code,
    );
    expect(refused).toBe('P0A01');
  });
});
