import { randomUUID } from 'node:crypto';
import { Migrator, sql, type Insertable } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../../migrations/index.ts';
import { openPostgres, type DbHandle } from '../../src/db/connect.ts';
import type { Db, DbOrTx, OrderOperationsTable, OrdersTable } from '../../src/db/database.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { grantServiceRole } from '../../src/db/service-role.ts';
import { insertOrderOperations, operationsByOrder, operationsForOrders, replaceOperations } from '../../src/db/repos/order-operations.ts';
import { drumRows, insertOrders, updateDrumKeys } from '../../src/db/repos/orders.ts';
import { loadPlantConfig } from '../../src/domain/schedule/plant-config.ts';
import { realPostgresAvailable, openEmptyDb } from '../helpers/db.ts';
import { QueryCounter } from '../helpers/query-counter.ts';

const GATE = 'P0A01';
const KEY_STEP = 1048576;
const week = ['mon', 'tue', 'wed', 'thu', 'fri'].map((day) => ({ day, start: '06:00', end: '14:00' }));

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (e) {
    return (e as { code?: string }).code;
  }
}

const migrator = (db: Db) => new Migrator({ db, provider: { getMigrations: async () => migrations } });

async function seedPlant(db: Db, id: string) {
  await db.insertInto('plants').values({ id, name: id, time_zone: 'Europe/Berlin' }).execute();
  await db
    .insertInto('buffer_policies')
    .values({ plant_id: id, production_buffer_days: 4, shipping_buffer_days: 2, standard_lead_time_days: 2, hold_ttl_seconds: 600 })
    .execute();
  await db
    .insertInto('resources')
    .values([
      { plant_id: id, id: 'cnc', name: 'CNC', is_drum: true, calendar: JSON.stringify({ weekly: week, exceptions: [] }) },
      { plant_id: id, id: 'saw', name: 'Saw', is_drum: false, calendar: JSON.stringify({ weekly: week, exceptions: [] }) },
    ])
    .execute();
  await db
    .insertInto('products')
    .values({ plant_id: id, sku: 'P1', name: 'P1', production_buffer_days: null, shipping_buffer_days: null })
    .execute();
}

/** Runs `fn` in a transaction that is a reschedule as the gate sees it: version bumped, with its event. */
async function reschedule<T>(db: Db, plantId: string, fn: (tx: DbOrTx, version: number) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (tx) => {
    const p = await sql<{ schedule_version: number; event_seq: number }>`
      UPDATE plants SET schedule_version = schedule_version + 1, event_seq = event_seq + 1, version_txid = txid_current()
      WHERE id = ${plantId} RETURNING schedule_version, event_seq`.execute(tx);
    const { schedule_version: version, event_seq: seq } = p.rows[0]!;
    await tx
      .insertInto('schedule_events')
      .values({ plant_id: plantId, seq, schedule_version: version, type: 'test', actor: 'test', at: new Date(), data: '{}' })
      .execute();
    return fn(tx, version);
  });
}

let orderSeq = 0;
/** An order row with only the columns every migration since 0002 (+0006) knows. */
function anOrder(plantId: string, status: OrdersTable['status'], deadline: string, seq = ++orderSeq) {
  return {
    plant_id: plantId,
    id: randomUUID(),
    status,
    sku: 'P1',
    quantity: 1,
    promise_date: '2026-12-31',
    drum_deadline: deadline,
    drum_load_minutes: 40,
    production_buffer_days: 4,
    shipping_buffer_days: 2,
    seq,
    changed_version: 0,
    created_by: 'test',
    created_at: new Date(),
    updated_at: new Date(),
    hold_expires_at: status === 'held' ? new Date('2026-12-01T00:00:00Z') : null,
  } satisfies Insertable<OrdersTable>;
}

describe.each([
  ['PGlite', 'pglite' as const],
  ['PostgreSQL', 'postgres' as const],
])('whole-route database layer on %s', (_name, kind) => {
  const skip = kind === 'postgres' && !realPostgresAvailable();

  describe('migration 0009', () => {
    let h: DbHandle;
    const ids: Record<string, string> = {};
    beforeAll(async () => {
      if (skip) return;
      h = await openEmptyDb(kind);
      const to8 = await migrator(h.db).migrateTo('0008_audit_log');
      expect(to8.error).toBeUndefined();
      await seedPlant(h.db, 'a');
      await seedPlant(h.db, 'b');
      // Deadlines out of insertion order, a tie broken by seq, and orders no longer committed.
      const a = [
        ['a3', anOrder('a', 'confirmed', '2026-12-10T13:00:00Z', 100)],
        ['a1', anOrder('a', 'held', '2026-12-02T13:00:00Z', 101)],
        ['a2late', anOrder('a', 'released', '2026-12-05T13:00:00Z', 103)],
        ['a2early', anOrder('a', 'in_progress', '2026-12-05T13:00:00Z', 102)],
        ['aDone', anOrder('a', 'completed', '2026-12-01T13:00:00Z', 104)],
        ['aCancelled', anOrder('a', 'cancelled', '2026-12-01T13:00:00Z', 105)],
      ] as const;
      const b = [
        ['b2', anOrder('b', 'confirmed', '2026-12-20T13:00:00Z', 1)],
        ['b1', anOrder('b', 'confirmed', '2026-12-03T13:00:00Z', 2)],
      ] as const;
      for (const [plant, list] of [
        ['a', a],
        ['b', b],
      ] as const) {
        await reschedule(h.db, plant, async (tx) => {
          await tx
            .insertInto('orders')
            .values(list.map(([, o]) => o))
            .execute();
        });
        for (const [name, o] of list) ids[name] = o.id;
      }
      await migrateToLatest(h.db);
    });
    afterAll(async () => h?.close());

    const keyOf = async (name: string) =>
      (await h.db.selectFrom('orders').select('drum_key').where('id', '=', ids[name]!).executeTakeFirstOrThrow()).drum_key;

    it.skipIf(skip)('backfills drum keys in EDD order per plant (ties by seq), 2^20 apart, only for committed orders', async () => {
      expect(await keyOf('a1')).toBe(1 * KEY_STEP);
      expect(await keyOf('a2early')).toBe(2 * KEY_STEP);
      expect(await keyOf('a2late')).toBe(3 * KEY_STEP);
      expect(await keyOf('a3')).toBe(4 * KEY_STEP);
      expect(await keyOf('aDone')).toBeNull();
      expect(await keyOf('aCancelled')).toBeNull();
      expect(await keyOf('b1')).toBe(1 * KEY_STEP);
      expect(await keyOf('b2')).toBe(2 * KEY_STEP);
      const row = await h.db
        .selectFrom('orders')
        .select(['ready_at', 'planned_release_at', 'material_available_at', 'effective_deadline'])
        .where('id', '=', ids.a1!)
        .executeTakeFirstOrThrow();
      expect(row).toEqual({ ready_at: null, planned_release_at: null, material_available_at: null, effective_deadline: null });
    });

    it.skipIf(skip)('gates drum keys like the rest of the schedule: no change outside a reschedule', async () => {
      expect(await codeOf(sql`UPDATE orders SET drum_key = 7 WHERE id = ${ids.a1!}`.execute(h.db))).toBe(GATE);
      expect(await codeOf(sql`UPDATE orders SET ready_at = now() WHERE id = ${ids.a1!}`.execute(h.db))).toBe(GATE);
      expect(await keyOf('a1')).toBe(KEY_STEP);
    });

    it.skipIf(skip)('goes down and up again', async () => {
      // Down to before whole-route planning (later migrations go first).
      const down = await migrator(h.db).migrateTo('0008_audit_log');
      expect(down.error).toBeUndefined();
      const cols = await sql<{ column_name: string }>`
        SELECT column_name FROM information_schema.columns WHERE table_name = 'orders' AND column_name = 'drum_key'`.execute(h.db);
      expect(cols.rows).toEqual([]);
      const tables = await sql<{ n: number }>`
        SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name = 'order_operations'`.execute(h.db);
      expect(tables.rows[0]!.n).toBe(0);
      await migrateToLatest(h.db);
      expect(await keyOf('a2late')).toBe(3 * KEY_STEP);
    });
  });

  describe('repositories', () => {
    let h: DbHandle & { url?: string };
    const plant = 'p';
    beforeAll(async () => {
      if (skip) return;
      h = await openEmptyDb(kind);
      await migrateToLatest(h.db);
      await seedPlant(h.db, plant);
    });
    afterAll(async () => h?.close());

    const newOrder = (deadline: string) => ({
      ...anOrder(plant, 'confirmed', deadline),
      drum_key: 5 * KEY_STEP,
      ready_at: new Date('2026-12-01T08:00:00Z'),
      planned_release_at: new Date('2026-12-01T06:00:00Z'),
      material_available_at: new Date('2026-11-30T00:00:00Z'),
      effective_deadline: deadline,
    });
    const opsOf = (orderId: string, n: number): Insertable<OrderOperationsTable>[] =>
      Array.from({ length: n }, (_, i) => ({
        plant_id: plant,
        order_id: orderId,
        position: i + 1,
        resource_id: i === 1 ? 'cnc' : 'saw',
        minutes: 10 * (i + 1),
        start_at: new Date(Date.UTC(2026, 11, 1, 6 + i)),
        end_at: new Date(Date.UTC(2026, 11, 1, 7 + i)),
      }));

    it.skipIf(skip)(
      'inserts an order with its plan columns and its operations in one statement, read back by order and position',
      async () => {
        const [o1, o2] = [newOrder('2026-12-10T13:00:00Z'), newOrder('2026-12-11T13:00:00Z')];
        const counter = new QueryCounter('order_operations');
        await reschedule(h.db, plant, async (tx, version) => {
          const rows = await insertOrders(tx, [
            { ...o1, changed_version: version },
            { ...o2, changed_version: version },
          ]);
          expect(rows.map((r) => r.drum_key)).toEqual([5 * KEY_STEP, 5 * KEY_STEP]);
          expect(rows[0]!.ready_at).toEqual(new Date('2026-12-01T08:00:00Z'));
          await insertOrderOperations(tx.withPlugin(counter), [...opsOf(o2.id, 2), ...opsOf(o1.id, 3).reverse()]);
          await insertOrderOperations(tx.withPlugin(counter), []);
        });
        expect(counter.count).toBe(1);
        const flat = await operationsForOrders(h.db, plant, [o1.id, o2.id]);
        const sorted = [o1.id, o2.id].sort();
        expect(flat.map((r) => [r.order_id, r.position])).toEqual([
          ...(sorted[0] === o1.id ? [1, 2, 3] : [1, 2]).map((p) => [sorted[0], p]),
          ...(sorted[1] === o1.id ? [1, 2, 3] : [1, 2]).map((p) => [sorted[1], p]),
        ]);
        const grouped = await operationsByOrder(h.db, plant, [o1.id]);
        expect([...grouped.keys()]).toEqual([o1.id]);
        expect(grouped.get(o1.id)!.map((r) => ({ ...r }))).toEqual(
          // No report yet (migration 0016): nothing done.
          opsOf(o1.id, 3).map((r) => ({ ...r, done_minutes: 0, started_at: null, reported_at: null, completed_at: null })),
        );
        expect(await operationsForOrders(h.db, plant, [])).toEqual([]);
        expect(await operationsForOrders(h.db, 'other-plant', [o1.id])).toEqual([]);

        // Replaced in a reschedule; refused outside one.
        await reschedule(h.db, plant, (tx) => replaceOperations(tx, plant, [o2.id], opsOf(o2.id, 1)));
        expect((await operationsForOrders(h.db, plant, [o2.id])).map((r) => r.position)).toEqual([1]);
        expect(await codeOf(h.db.transaction().execute((tx) => replaceOperations(tx, plant, [o2.id], [])))).toBe(GATE);
        expect(await codeOf(insertOrderOperations(h.db, opsOf(o2.id, 3).slice(2)))).toBe(GATE);
        expect(await operationsForOrders(h.db, plant, [o2.id])).toHaveLength(1);
        // Orders are never deleted (migration 0007), so the cascade to their operations never runs.
        expect(await codeOf(sql`DELETE FROM orders WHERE id = ${o1.id}`.execute(h.db))).toBe(GATE);
      },
    );

    it.skipIf(skip)('updateDrumKeys moves keys in one statement and stamps the version other processes catch up from', async () => {
      const orders = [newOrder('2026-12-14T13:00:00Z'), newOrder('2026-12-15T13:00:00Z'), newOrder('2026-12-16T13:00:00Z')];
      const inserted = await reschedule(h.db, plant, async (tx, version) => {
        await insertOrders(
          tx,
          orders.map((o) => ({ ...o, changed_version: version })),
        );
        return version;
      });
      const counter = new QueryCounter('orders');
      const { version, n } = await reschedule(h.db, plant, async (tx, v) => {
        const n = await updateDrumKeys(
          tx.withPlugin(counter),
          plant,
          [
            { id: orders[0]!.id, key: 3 },
            { id: orders[2]!.id, key: 2 ** 40 },
          ],
          v,
        );
        expect(await updateDrumKeys(tx, plant, [], v)).toBe(0);
        return { version: v, n };
      });
      expect(n).toBe(2);
      expect(counter.count).toBe(1);
      const changed = await drumRows(h.db, plant, inserted);
      expect(changed.map((r) => [r.id, r.drum_key]).sort()).toEqual(
        [
          [orders[0]!.id, 3],
          [orders[2]!.id, 2 ** 40],
        ].sort(),
      );
      expect(await drumRows(h.db, plant, version)).toEqual([]);
      // The drum view carries the plan columns.
      const all = await drumRows(h.db, plant);
      const middle = all.find((r) => r.id === orders[1]!.id)!;
      expect(middle).toMatchObject({
        drum_key: 5 * KEY_STEP,
        ready_at: new Date('2026-12-01T08:00:00Z'),
        planned_release_at: new Date('2026-12-01T06:00:00Z'),
        material_available_at: new Date('2026-11-30T00:00:00Z'),
        effective_deadline: new Date('2026-12-15T13:00:00Z'),
      });
      // Another plant's order of the same id list is untouched; and outside a reschedule the gate refuses.
      expect(await reschedule(h.db, plant, (tx, v) => updateDrumKeys(tx, 'other-plant', [{ id: orders[1]!.id, key: 1 }], v))).toBe(0);
      expect(await codeOf(updateDrumKeys(h.db, plant, [{ id: orders[1]!.id, key: 1 }], version + 1))).toBe(GATE);
    });

    it.skipIf(kind !== 'postgres' || skip)('lets the service role (owns nothing) replace operations, never truncate them', async () => {
      const role = `drumbeat_svc_${randomUUID().slice(0, 8)}`;
      await sql`CREATE ROLE ${sql.id(role)} LOGIN`.execute(h.db);
      const url = new URL(h.url!);
      url.username = role;
      url.password = '';
      const service = openPostgres(url.toString(), 1);
      try {
        await grantServiceRole(h.db, role);
        const o = newOrder('2026-12-17T13:00:00Z');
        await reschedule(service.db, plant, async (tx, v) => {
          await insertOrders(tx, [{ ...o, changed_version: v }]);
          await insertOrderOperations(tx, opsOf(o.id, 3));
        });
        await reschedule(service.db, plant, (tx) => replaceOperations(tx, plant, [o.id], opsOf(o.id, 2)));
        expect(await operationsForOrders(service.db, plant, [o.id])).toHaveLength(2);
        expect(await codeOf(sql`TRUNCATE order_operations`.execute(service.db))).toBe('42501');
        expect(await codeOf(sql`TRUNCATE order_operations`.execute(h.db))).toBe(GATE);
      } finally {
        await service.close();
        await sql`DROP OWNED BY ${sql.id(role)}`.execute(h.db);
        await sql`DROP ROLE ${sql.id(role)}`.execute(h.db);
      }
    });

    it.skipIf(skip)("PlantConfig.resources carries every resource's effective calendar, a non-drum downtime included", async () => {
      const changeId = randomUUID();
      await reschedule(h.db, plant, async (tx, v) => {
        await tx
          .insertInto('capacity_changes')
          .values({
            plant_id: plant,
            id: changeId,
            resource_id: 'saw',
            kind: 'downtime',
            date: '2026-12-03',
            start_time: '08:00',
            end_time: '10:00',
            reason: 'blade change',
            created_by: 'test',
            created_at: new Date(),
            schedule_version: v,
          })
          .execute();
      });
      const config = await loadPlantConfig(h.db, plant);
      expect([...config.resources.keys()].sort()).toEqual(['cnc', 'saw']);
      const saw = config.resources.get('saw')!;
      expect(saw.isDrum).toBe(false);
      expect(saw.calendar.timeZone).toBe('Europe/Berlin');
      expect(saw.calendar.exceptions).toEqual([
        { kind: 'downtime', date: '2026-12-03', start: '08:00', end: '10:00', note: `capacity change ${changeId}` },
      ]);
      const cnc = config.resources.get('cnc')!;
      expect(cnc.isDrum).toBe(true);
      expect(cnc.calendar.exceptions).toEqual([]);
      expect(config.drum).toEqual({ id: 'cnc', calendar: cnc.calendar });
    });
  });
});
