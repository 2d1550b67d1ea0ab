import { describe, expect, it } from 'vitest';
import { drumRows } from '../../src/db/repos/orders.ts';
import { lockPlantVersionsWithChanges } from '../../src/db/repos/plant-versions.ts';
import { createPlant } from '../../src/domain/plants.ts';
import { PlantCache, toMinute } from '../../src/domain/schedule/plant-cache.ts';
import type { WriteContext } from '../../src/domain/schedule/schedule-writer.ts';
import { QueryCounter } from '../helpers/query-counter.ts';
import {
  otherProcess,
  planner,
  plantVersions,
  reserveIn,
  setUpPlant,
  syncedState,
  useWriter,
  writerKinds,
} from '../helpers/writer-plant.ts';

// PlantCache without HTTP: turns (take, busy, eachCommitted), the cold build in pages, and
// sync's catch-up from rows changed since a version, read or given, and new capacity rules.
// Orders are written through a ScheduleWriter with its own cache; each test syncs a fresh
// PlantCache against the database and compares it with what is stored.

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe.each(writerKinds())('PlantCache on %s', (kind) => {
  let plants = 0;
  const h = useWriter(kind);

  async function newPlant() {
    const id = `c-${++plants}`;
    await setUpPlant(h, id);
    return id;
  }
  const versionsOf = (plant: string) => plantVersions(h, plant);
  const write = <T>(plant: string, fn: (ctx: WriteContext) => Promise<T>) => h.writer.write(plant, planner, fn);
  const newOrder = (plant: string, quantity = 2, sku = 'P1') => write(plant, (ctx) => reserveIn(ctx, { quantity, sku }));
  const synced = (plant: string, cache?: PlantCache) => syncedState(h, plant, cache);

  it('take: one holder at a time, first come first served; busy until the last turn ends', async () => {
    const cache = new PlantCache();
    const log: string[] = [];
    expect(cache.busy('p')).toBe(false);
    const give1 = await cache.take('p');
    expect(cache.busy('p')).toBe(true);
    const second = cache.take('p').then((give) => (log.push('second'), give));
    const third = cache.take('p').then((give) => (log.push('third'), give));
    const other = await cache.take('q');
    await tick();
    expect(log).toEqual([]);
    give1();
    const give2 = await second;
    await tick();
    expect(log).toEqual(['second']);
    expect(cache.busy('p')).toBe(true);
    give2();
    const give3 = await third;
    expect(log).toEqual(['second', 'third']);
    expect(cache.busy('p')).toBe(true);
    give3();
    expect(cache.busy('p')).toBe(false);
    expect(cache.busy('q')).toBe(true);
    other();
    expect(cache.busy('q')).toBe(false);
    // A turn taken after all ended does not wait.
    const again = await cache.take('p');
    expect(cache.busy('p')).toBe(true);
    again();
  });

  it('eachCommitted: every plant held, a busy one once its turn ends, a dropped one not at all', async () => {
    const [a, b] = [await newPlant(), await newPlant()];
    await newOrder(a);
    const cache = new PlantCache();
    const sa = await synced(a, cache);
    const sb = await synced(b, cache);
    const give = await cache.take(a);
    const seen: [string, unknown][] = [];
    const walk = cache.eachCommitted((id, s) => seen.push([id, s]));
    await tick();
    expect(seen).toEqual([]);
    give();
    await walk;
    expect(seen).toEqual([
      [a, sa],
      [b, sb],
    ]);
    expect(cache.busy(a)).toBe(false);
    const giveB = await cache.take(b);
    const seen2: string[] = [];
    const walk2 = cache.eachCommitted((id) => seen2.push(id));
    await tick();
    cache.invalidate(b);
    giveB();
    await walk2;
    expect(seen2).toEqual([a]);
    expect(cache.busy(b)).toBe(false);
  });

  it('plantsWithOverdueWork: a plant whose planned release has passed, not before', async () => {
    const plant = await newPlant();
    const idle = await newPlant();
    const o = (await newOrder(plant)).result;
    const cache = new PlantCache();
    await synced(plant, cache);
    await synced(idle, cache);
    const release = toMinute(o.planned_release_at!);
    expect(cache.plantsWithOverdueWork(toMinute(h.clock.now()))).toEqual([]);
    expect(cache.plantsWithOverdueWork(release + 3 * 24 * 60)).toEqual([plant]);
  });

  it('a cold build reads the committed orders in pages: the drum, the routes, the hold expiries', async () => {
    const plant = await newPlant();
    const confirmed = [(await newOrder(plant, 2)).result, (await newOrder(plant, 3, 'SAWN')).result];
    const held = (await write(plant, (ctx) => reserveIn(ctx, { quantity: 1 }, { status: 'held', holdTtlSeconds: 600 }))).result;
    const cancelled = (await newOrder(plant, 1)).result;
    await write(plant, async (ctx) => {
      await ctx.orders.update(cancelled.id, { status: 'cancelled' });
      ctx.emit({ type: 'bench.seeded', data: { orders: 0, total: 0 } });
    });
    const live = h.cache.peek(plant)!;
    const counter = new QueryCounter('orders');
    const cache = new PlantCache(2);
    const v = await versionsOf(plant);
    const s = await cache.sync(h.db.db.withPlugin(counter), plant, v.schedule_version, v.config_version);
    // Three committed orders, two per page: pages of 2 and 1; then the rows changed since the version.
    expect(cache.buildPages).toBe(2);
    expect(counter.count).toBe(3);
    expect(s.version).toBe(v.schedule_version);
    expect(s.config.configVersion).toBe(v.config_version);
    expect(cache.peek(plant)).toBe(s);
    for (const o of [...confirmed, held]) {
      expect(s.book!.get(o.id)).toEqual(live.book!.get(o.id));
      expect(s.route!.get(o.id)).toMatchObject(live.route!.get(o.id)!);
    }
    expect(s.route!.get(confirmed[1]!.id)!.ops.map((op) => op.resource)).toEqual(['saw', 'cnc']);
    expect(s.book!.get(cancelled.id)).toBeUndefined();
    expect(s.holdExpiry.get(held.id)).toBe(toMinute(held.hold_expires_at!));
    expect(s.holdExpiry.get(confirmed[0]!.id)).toBeUndefined();
    expect(s.book!.totalLoad).toBe(live.book!.totalLoad);

    // One page: no catch-up read after it.
    const one = new PlantCache();
    const counter1 = new QueryCounter('orders');
    await one.sync(h.db.db.withPlugin(counter1), plant, v.schedule_version, v.config_version);
    expect(one.buildPages).toBe(1);
    expect(counter1.count).toBe(1);
    // A full last page: one more, empty, page.
    const exact = new PlantCache(3);
    await synced(plant, exact);
    expect(exact.buildPages).toBe(2);
  });

  it('a state built while a write is in flight reports it (pendingWrites), and not after', async () => {
    const plant = await newPlant();
    const cache = new PlantCache();
    const s = await synced(plant, cache);
    expect(s.pendingWrites()).toBeUndefined();
    const give = await cache.take(plant);
    const pending = s.pendingWrites();
    expect(pending).toBeInstanceOf(Promise);
    let ended = false;
    void pending!.then(() => (ended = true));
    await tick();
    expect(ended).toBe(false);
    give();
    await tick();
    expect(ended).toBe(true);
    expect(s.pendingWrites()).toBeUndefined();
  });

  it('a plant without a drum has no books', async () => {
    const plant = `c-${++plants}`;
    await createPlant(h.db.db, { id: plant, name: plant, timeZone: 'UTC' });
    const s = await synced(plant);
    expect(s.book).toBeNull();
    expect(s.route).toBeNull();
    expect(s.wt).toBeNull();
  });

  it('sync: up to date or behind the caller, the state stays as it is', async () => {
    const plant = await newPlant();
    await newOrder(plant);
    const counter = new QueryCounter();
    const cache = new PlantCache();
    const v = await versionsOf(plant);
    const db = h.db.db.withPlugin(counter);
    const s = await cache.sync(db, plant, v.schedule_version, v.config_version);
    const queries = counter.count;
    expect(await cache.sync(db, plant, v.schedule_version, v.config_version)).toBe(s);
    expect(await cache.sync(db, plant, v.schedule_version - 1, v.config_version - 1)).toBe(s);
    expect(counter.count).toBe(queries);
    expect(s.version).toBe(v.schedule_version);
    expect(cache.buildPages).toBe(1);
  });

  it('sync catches up from the rows changed since its version: new, changed and dead orders', async () => {
    const plant = await newPlant();
    const gone = (await newOrder(plant)).result;
    const cache = new PlantCache();
    const s = await synced(plant, cache);
    const other = otherProcess(h);
    const fresh = (await other.write(plant, planner, (ctx) => reserveIn(ctx, { quantity: 4, sku: 'SAWN' }))).result;
    await other.write(plant, planner, async (ctx) => {
      await ctx.orders.update(gone.id, { status: 'cancelled' });
      ctx.emit({ type: 'bench.seeded', data: { orders: 0, total: 0 } });
    });
    const counter = new QueryCounter();
    const v = await versionsOf(plant);
    const again = await cache.sync(h.db.db.withPlugin(counter), plant, v.schedule_version, v.config_version);
    expect(again).toBe(s);
    expect(cache.buildPages).toBe(1);
    expect(s.version).toBe(v.schedule_version);
    expect(s.book!.get(gone.id)).toBeUndefined();
    expect(s.route!.get(gone.id)).toBeUndefined();
    expect(s.book!.get(fresh.id)).toBeDefined();
    expect(s.route!.get(fresh.id)!.ops.map((op) => [op.resource, op.minutes])).toEqual([
      ['saw', 9],
      ['cnc', 70],
    ]);
    // The changed rows and the operations of the committed ones.
    expect(counter.count).toBe(2);
    // Only a dead order since: no operations to read.
    await other.write(plant, planner, async (ctx) => {
      await ctx.orders.update(fresh.id, { status: 'cancelled' });
      ctx.emit({ type: 'bench.seeded', data: { orders: 0, total: 0 } });
    });
    const v2 = await versionsOf(plant);
    await cache.sync(h.db.db.withPlugin(counter), plant, v2.schedule_version, v2.config_version);
    expect(counter.count).toBe(3);
    expect(s.book!.get(fresh.id)).toBeUndefined();
    expect(s.route!.get(fresh.id)).toBeUndefined();
    expect(s.version).toBe(v2.schedule_version);
  });

  it('a state adopted (a simulation fork) is the plant state until dropped', async () => {
    const plant = await newPlant();
    const cache = new PlantCache();
    const s = await synced(plant);
    cache.adopt(plant, s);
    expect(cache.peek(plant)).toBe(s);
    expect(await synced(plant, cache)).toBe(s);
    cache.invalidate(plant);
    expect(cache.peek(plant)).toBeUndefined();
    expect(cache.buildPages).toBe(0);
  });

  it('new capacity rules on a plant without a drum: built again (nothing to recalibrate)', async () => {
    const plant = `c-${++plants}`;
    await createPlant(h.db.db, { id: plant, name: plant, timeZone: 'UTC' });
    const cache = new PlantCache();
    const s = await synced(plant, cache);
    await otherProcess(h).write(plant, planner, (ctx) => ctx.changeCapacityRules());
    const v = await versionsOf(plant);
    expect(v.schedule_version).toBe(s.version);
    const again = await cache.sync(h.db.db, plant, v.schedule_version, v.config_version);
    expect(again).not.toBe(s);
    expect(again.config.configVersion).toBe(v.config_version);
    expect(cache.buildPages).toBe(2);
  });

  it('sync applies changes read with the lock when they start at or before its version, else reads its own', async () => {
    const plant = await newPlant();
    const cache = new PlantCache();
    const s = await synced(plant, cache);
    const from = s.version;
    const other = otherProcess(h);
    const first = (await other.write(plant, planner, (ctx) => reserveIn(ctx, { quantity: 2, sku: 'SAWN' }))).result;
    const read = (since: number) => h.db.db.transaction().execute((tx) => lockPlantVersionsWithChanges(tx, plant, since));
    const given = await read(from);
    expect(given.changes!.rows.map((r) => r.id)).toEqual([first.id]);
    const counter = new QueryCounter();
    const db = h.db.db.withPlugin(counter);
    await cache.sync(db, plant, given.versions!.schedule_version, given.versions!.config_version, given.changes);
    expect(counter.count).toBe(0);
    expect(s.book!.get(first.id)).toBeDefined();
    expect(s.route!.get(first.id)!.ops.map((op) => op.resource)).toEqual(['saw', 'cnc']);
    expect(s.version).toBe(given.versions!.schedule_version);
    // Changes read from a later version than the state's miss rows: the state reads its own.
    const second = (await other.write(plant, planner, (ctx) => reserveIn(ctx, { quantity: 1 }))).result;
    const third = (await other.write(plant, planner, (ctx) => reserveIn(ctx, { quantity: 1 }))).result;
    const late = await read(s.version + 1);
    expect(late.changes!.rows.map((r) => r.id)).toEqual([third.id]);
    await cache.sync(db, plant, late.versions!.schedule_version, late.versions!.config_version, late.changes);
    expect(counter.count).toBe(2);
    expect(s.book!.get(second.id)).toBeDefined();
    expect(s.book!.get(third.id)).toBeDefined();
    expect(s.version).toBe(late.versions!.schedule_version);
    // Given changes equal to the state's version: used as they are.
    const fourth = (await other.write(plant, planner, (ctx) => reserveIn(ctx, { quantity: 1 }))).result;
    const exact = await read(s.version);
    await cache.sync(db, plant, exact.versions!.schedule_version, exact.versions!.config_version, exact.changes);
    expect(counter.count).toBe(2);
    expect(s.book!.get(fourth.id)).toBeDefined();
  });

  it('a catch-up takes the stale plans of the changed orders out first: two orders that swapped sequence keys', async () => {
    const plant = await newPlant();
    const a = (await newOrder(plant)).result;
    const b = (await newOrder(plant)).result;
    const cache = new PlantCache();
    const s = await synced(plant, cache);
    const [ka, kb] = [s.route!.get(a.id)!.key, s.route!.get(b.id)!.key];
    expect(ka).not.toBe(kb);
    const rows = (await drumRows(h.db.db, plant)).filter((r) => r.id === a.id || r.id === b.id);
    const swapped = rows.map((r) => ({ ...r, drum_key: r.id === a.id ? kb : ka }));
    await cache.sync(h.db.db, plant, s.version + 1, s.config.configVersion, { since: s.version, rows: swapped, operations: [] });
    expect([s.route!.get(a.id)!.key, s.route!.get(b.id)!.key]).toEqual([kb, ka]);
  });

  it('new capacity rules alone: the state is recalibrated in place; with new rows too: built again', async () => {
    const plant = await newPlant();
    const o = (await newOrder(plant)).result;
    const cache = new PlantCache();
    const s = await synced(plant, cache);
    const other = otherProcess(h);
    await other.write(plant, planner, (ctx) => ctx.changeCapacityRules());
    const v1 = await versionsOf(plant);
    expect(v1.schedule_version).toBe(s.version);
    const counter = new QueryCounter('orders');
    const r = await cache.sync(h.db.db.withPlugin(counter), plant, v1.schedule_version, v1.config_version);
    expect(r).toBe(s);
    expect(counter.count).toBe(0);
    expect(s.config.configVersion).toBe(v1.config_version);
    expect(s.book!.get(o.id)).toBeDefined();
    expect(cache.buildPages).toBe(1);
    // New rules and a new order together.
    const fresh = (
      await other.write(plant, planner, async (ctx) => {
        await ctx.changeCapacityRules();
        return reserveIn(ctx, { quantity: 1 });
      })
    ).result;
    const v2 = await versionsOf(plant);
    const rebuilt = await cache.sync(h.db.db, plant, v2.schedule_version, v2.config_version);
    expect(rebuilt).not.toBe(s);
    expect(cache.buildPages).toBe(2);
    expect(cache.peek(plant)).toBe(rebuilt);
    expect(rebuilt.config.configVersion).toBe(v2.config_version);
    expect(rebuilt.version).toBe(v2.schedule_version);
    expect(rebuilt.book!.get(fresh.id)).toBeDefined();
    expect(rebuilt.book!.get(o.id)).toBeDefined();
  });
});
