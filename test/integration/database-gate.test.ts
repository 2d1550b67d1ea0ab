import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { realPostgresAvailable } from '../helpers/db.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { seedPlant } from '../helpers/builders.ts';

const GATE = 'P0A01';

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (e) {
    return (e as { code?: string }).code;
  }
}

// The database itself refuses a schedule bypass, on both engines the service runs on.
describe.each([
  ['PGlite', 'pglite' as const],
  ['PostgreSQL', 'postgres' as const],
])('the order gate on %s', (_name, kind) => {
  let t: TestApp;
  let orderId: string;
  const skip = kind === 'postgres' && !realPostgresAvailable();

  beforeAll(async () => {
    if (skip) return;
    t = await buildTestApp({ kind });
    await seedPlant(t);
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/plants/plant-1/orders',
      headers: t.as('sales'),
      payload: { sku: 'P1', quantity: 2, promiseDate: '2026-12-10', customer: 'ACME' },
    });
    orderId = res.json().id;
  });
  afterAll(async () => t?.close());

  it.skipIf(skip)('refuses a raw INSERT of an order that skips the reschedule', async () => {
    const insert = sql`
      INSERT INTO orders (plant_id, id, status, sku, quantity, promise_date, drum_deadline, drum_load_minutes,
        production_buffer_days, shipping_buffer_days, seq, changed_version, created_by, created_at, updated_at)
      VALUES ('plant-1', gen_random_uuid(), 'confirmed', 'P1', 1, '2026-11-24', '2026-11-23T20:00:00Z', 40, 4, 2, 999, 999, 'raw sql', now(), now())`;
    expect(await codeOf(insert.execute(t.db.db))).toBe(GATE);
    const count = await t.db.db
      .selectFrom('orders')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(1);
  });

  it.skipIf(skip)('refuses a raw UPDATE of a promise date or load', async () => {
    expect(await codeOf(sql`UPDATE orders SET promise_date = '2026-12-31' WHERE id = ${orderId}`.execute(t.db.db))).toBe(GATE);
    expect(await codeOf(sql`UPDATE orders SET drum_load_minutes = 5000 WHERE id = ${orderId}`.execute(t.db.db))).toBe(GATE);
    const row = await t.db.db
      .selectFrom('orders')
      .select(['promise_date', 'drum_load_minutes'])
      .where('id', '=', orderId)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ promise_date: '2026-12-10', drum_load_minutes: 50 });
  });

  it.skipIf(skip)('refuses a version bump without its event in the same transaction', async () => {
    const bypass = t.db.db.transaction().execute(async (tx) => {
      await sql`UPDATE plants SET schedule_version = schedule_version + 1, version_txid = txid_current() WHERE id = 'plant-1'`.execute(tx);
      await sql`UPDATE orders SET promise_date = '2026-12-31' WHERE id = ${orderId}`.execute(tx);
    });
    expect(await codeOf(bypass)).toBe(GATE);
  });

  it.skipIf(skip)("refuses an order change in a transaction that claims the plant's version without a new one", async () => {
    // The version's event is still the plant's last, so only version_txid tells this apart.
    const bypass = t.db.db.transaction().execute(async (tx) => {
      await sql`UPDATE plants SET version_txid = txid_current() WHERE id = 'plant-1'`.execute(tx);
      await sql`UPDATE orders SET promise_date = '2026-12-31' WHERE id = ${orderId}`.execute(tx);
    });
    expect(await codeOf(bypass)).toBe(GATE);
    const row = await t.db.db.selectFrom('orders').select('promise_date').where('id', '=', orderId).executeTakeFirstOrThrow();
    expect(row.promise_date).toBe('2026-12-10');
  });

  it.skipIf(skip)(
    "refuses lowering a plant's schedule version or event sequence, even to where it was in the same transaction",
    async () => {
      const plant = () =>
        t.db.db.selectFrom('plants').select(['schedule_version', 'event_seq']).where('id', '=', 'plant-1').executeTakeFirstOrThrow();
      const before = await plant();
      expect(await codeOf(sql`UPDATE plants SET schedule_version = schedule_version - 1 WHERE id = 'plant-1'`.execute(t.db.db))).toBe(GATE);
      expect(await codeOf(sql`UPDATE plants SET event_seq = event_seq - 1 WHERE id = 'plant-1'`.execute(t.db.db))).toBe(GATE);
      // Up and back down: the version_txid claimed on the way up would otherwise let an order change through.
      const backDown = t.db.db.transaction().execute(async (tx) => {
        await sql`UPDATE plants SET schedule_version = schedule_version + 1, version_txid = txid_current() WHERE id = 'plant-1'`.execute(
          tx,
        );
        await sql`UPDATE plants SET schedule_version = schedule_version - 1 WHERE id = 'plant-1'`.execute(tx);
      });
      expect(await codeOf(backDown)).toBe(GATE);
      expect(await plant()).toEqual(before);
    },
  );

  it.skipIf(skip)("runs every function of the schema with the search_path pinned to the schema's, pg_temp last", async () => {
    // Unpinned, a caller's temporary table (pg_temp comes first for relations) would shadow the
    // tables a gate function reads: migration 0026. A function created later must say SET search_path.
    const { rows } = await sql<{ fn: string; config: string[] | null; schema: string }>`
      SELECT p.oid::regprocedure::text AS fn, p.proconfig AS config, current_schema() AS schema
        FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = current_schema()`.execute(t.db.db);
    expect(rows.map((r) => r.fn)).toEqual(
      expect.arrayContaining(['drumbeat_check_reschedule()', 'drumbeat_insert_orders(text,json,json)']),
    );
    const unpinned = rows.filter((r) => !(r.config ?? []).includes(`search_path=${r.schema}, pg_temp`)).map((r) => r.fn);
    expect(unpinned).toEqual([]);
  });

  it.skipIf(skip)('never deletes an order, even by raw SQL: cancelling is a status', async () => {
    expect(await codeOf(sql`DELETE FROM orders WHERE id = ${orderId}`.execute(t.db.db))).toBe(GATE);
    expect(await codeOf(sql`TRUNCATE orders CASCADE`.execute(t.db.db))).toBe(GATE);
    const row = await t.db.db.selectFrom('orders').select('status').where('id', '=', orderId).executeTakeFirst();
    expect(row?.status).toBe('confirmed');
  });

  it.skipIf(skip)('refuses raw changes to quantity, owner, product, pin rank and plant', async () => {
    expect(await codeOf(sql`UPDATE orders SET quantity = 1 WHERE id = ${orderId}`.execute(t.db.db))).toBe(GATE);
    expect(await codeOf(sql`UPDATE orders SET created_by_key = 'someone' WHERE id = ${orderId}`.execute(t.db.db))).toBe(GATE);
    expect(await codeOf(sql`UPDATE orders SET pin_rank = 1 WHERE id = ${orderId}`.execute(t.db.db))).toBe(GATE);
    expect(await codeOf(sql`UPDATE orders SET plant_id = 'plant-2' WHERE id = ${orderId}`.execute(t.db.db))).toBe(GATE);
    const row = await t.db.db.selectFrom('orders').select(['quantity', 'pin_rank']).where('id', '=', orderId).executeTakeFirstOrThrow();
    expect(row).toEqual({ quantity: 2, pin_rank: null });
  });

  it.skipIf(skip)('keeps the event log append-only', async () => {
    expect(await codeOf(sql`UPDATE schedule_events SET data = '{}' WHERE plant_id = 'plant-1'`.execute(t.db.db))).toBe(GATE);
    expect(await codeOf(sql`DELETE FROM schedule_events WHERE plant_id = 'plant-1'`.execute(t.db.db))).toBe(GATE);
    expect(await codeOf(sql`TRUNCATE schedule_events`.execute(t.db.db))).toBe(GATE);
  });

  it.skipIf(skip)('refuses a schedule version bump that carries no event, even with no order touched', async () => {
    const before = await t.db.db.selectFrom('plants').select('schedule_version').where('id', '=', 'plant-1').executeTakeFirstOrThrow();
    expect(await codeOf(sql`UPDATE plants SET schedule_version = schedule_version + 1 WHERE id = 'plant-1'`.execute(t.db.db))).toBe(GATE);
    const after = await t.db.db.selectFrom('plants').select('schedule_version').where('id', '=', 'plant-1').executeTakeFirstOrThrow();
    expect(after.schedule_version).toBe(before.schedule_version);
  });

  it.skipIf(skip)('allows harmless updates that do not touch the schedule', async () => {
    await sql`UPDATE orders SET customer = 'ACME Corp' WHERE id = ${orderId}`.execute(t.db.db);
    const row = await t.db.db.selectFrom('orders').select('customer').where('id', '=', orderId).executeTakeFirstOrThrow();
    expect(row.customer).toBe('ACME Corp');
  });
});
