import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { listEvents } from '../../src/db/repos/events.ts';
import { findOrder } from '../../src/db/repos/orders.ts';
import { putBufferPolicy } from '../../src/domain/buffer-policy.ts';
import { DomainError } from '../../src/domain/errors.ts';
import { fromMinute, PlantCache } from '../../src/domain/schedule/plant-cache.ts';
import { ScheduleWriter, standaloneScheduleDeps, type WriteContext } from '../../src/domain/schedule/schedule-writer.ts';
import { planner, plantMaker, plantVersions, reserveIn, START, useWriter, writerKinds } from '../helpers/writer-plant.ts';

// More of ScheduleWriter without HTTP: which failures rerun a batch's writes alone, the
// change feed, savepoints of writes whose new orders were sent, capacity rules after new
// orders of the same batch, and the housekeeping every batch does first (time passing,
// legacy orders, the frozen window).

const settled = () => new Promise((resolve) => setImmediate(resolve));

describe.each(writerKinds())('ScheduleWriter batches on %s', (kind) => {
  const h = useWriter(kind);

  const newPlant = plantMaker(h, 'b', async () => {
    await settled();
  });
  const versionOf = (plant: string) => plantVersions(h, plant);
  const eventsOf = async (plant: string, after = 0) => listEvents(h.db.db, plant, after, 1000);
  const lastSeq = async (plant: string) => (await eventsOf(plant)).at(-1)?.seq ?? 0;
  const order =
    (quantity = 1) =>
    (ctx: WriteContext) =>
      reserveIn(ctx, { quantity });
  /** A writer of its own on the harness's cache, its batches observed. */
  function observed() {
    const sizes: number[] = [];
    const w = new ScheduleWriter({ db: h.db.db, clock: h.clock, cache: h.cache });
    w.observeBatches((seconds, size) => {
      expect(seconds).toBeGreaterThanOrEqual(0);
      expect(seconds).toBeLessThan(600);
      sizes.push(size);
    });
    return { w, sizes };
  }

  it('a refusal of the whole batch (an unknown plant) is not retried write by write', async () => {
    const { w, sizes } = observed();
    const release = w.hold('nowhere');
    let runs = 0;
    const writes = [1, 2].map(() => w.write('nowhere', planner, async () => void runs++));
    release();
    for (const r of await Promise.allSettled(writes)) expect(r).toMatchObject({ status: 'rejected', reason: { kind: 'not-found' } });
    expect(sizes).toEqual([2]);
    expect(runs).toBe(0);
  });

  it('a database outage fails the whole batch without retries', async () => {
    const plant = await newPlant();
    const { w, sizes } = observed();
    const release = w.hold(plant);
    const gone = Object.assign(new Error('connection terminated'), { code: '08006' });
    let runs = 0;
    const a = w.write(plant, planner, async () => {
      runs++;
      throw gone;
    });
    const b = w.write(plant, planner, async (ctx) => {
      runs++;
      return reserveIn(ctx, { quantity: 1 });
    });
    release();
    const [ra, rb] = await Promise.allSettled([a, b]);
    expect(ra).toMatchObject({ status: 'rejected', reason: gone });
    expect(rb).toMatchObject({ status: 'rejected', reason: gone });
    expect(sizes).toEqual([2]);
    expect(runs).toBe(1);
  });

  it('the change feed hears of a commit that moved the version or the rules, not of one that moved nothing', async () => {
    const plant = await newPlant();
    const heard: string[] = [];
    const feed = { onAnnounce: (p: string) => void heard.push(p) } as never;
    const w = new ScheduleWriter({ db: h.db.db, clock: h.clock, cache: h.cache, feed });
    await w.write(plant, planner, async () => 'nothing');
    expect(heard).toEqual([]);
    await w.write(plant, planner, order());
    expect(heard).toEqual([plant]);
    await w.write(plant, planner, (ctx) => ctx.changeCapacityRules());
    expect(heard).toEqual([plant, plant]);
    await expect(
      w.write(plant, planner, async () => {
        throw new DomainError('conflict', 'no');
      }),
    ).rejects.toMatchObject({ kind: 'conflict' });
    expect(heard).toEqual([plant, plant]);
  });

  it('a refused write whose new order was already sent: its row goes with its savepoint, the next write of the batch still stores its own', async () => {
    const plant = await newPlant();
    const { w, sizes } = observed();
    const release = w.hold(plant);
    const before = w.write(plant, planner, order());
    let refusedId = '';
    const refused = w.write(plant, planner, async (ctx) => {
      refusedId = (await reserveIn(ctx, { quantity: 1 })).id;
      // A statement of its own: the new orders go out first, the earlier write's before the savepoint.
      expect(await findOrder(ctx.tx, plant, refusedId)).toBeDefined();
      throw new DomainError('conflict', 'refused after a statement');
    });
    const after = w.write(plant, planner, order(2));
    release();
    const [b, r, a] = await Promise.allSettled([before, refused, after]);
    expect(r).toMatchObject({ status: 'rejected', reason: { kind: 'conflict' } });
    expect(sizes).toEqual([3]);
    expect(await findOrder(h.db.db, plant, refusedId)).toBeUndefined();
    for (const ok of [b, a]) {
      expect(ok.status).toBe('fulfilled');
      const id = (ok as PromiseFulfilledResult<{ result: { id: string } }>).value.result.id;
      expect(await findOrder(h.db.db, plant, id)).toBeDefined();
      const ops = await h.db.db.selectFrom('order_operations').select('order_id').where('order_id', '=', id).execute();
      expect(ops).toHaveLength(1);
    }
    expect(h.cache.peek(plant)!.book!.get(refusedId)).toBeUndefined();
  });

  it('new capacity rules after new orders in the same batch: the rebuilt state holds them', async () => {
    const plant = await newPlant();
    const { w, sizes } = observed();
    const release = w.hold(plant);
    const first = w.write(plant, planner, order());
    const rules = w.write(plant, planner, async (ctx) => {
      const o = await reserveIn(ctx, { quantity: 1 });
      await ctx.changeCapacityRules();
      return o;
    });
    const check = w.write(plant, planner, async (ctx) => [ctx.state.config.configVersion, ctx.state.book!.size]);
    release();
    const [f, r, c] = await Promise.all([first, rules, check]);
    expect(sizes).toEqual([3]);
    expect(c.state.book!.get(f.result.id)).toBeDefined();
    expect(c.state.book!.get(r.result.id)).toBeDefined();
    expect(c.result).toEqual([(await versionOf(plant)).config_version, 2]);
    expect(await findOrder(h.db.db, plant, r.result.id)).toBeDefined();
  });

  it('time passing: a batch first moves the plans of work overdue at its time', async () => {
    const plant = await newPlant();
    const o = (await h.writer.write(plant, planner, order(2))).result;
    const seq = await lastSeq(plant);
    const later = new Date(o.planned_release_at!.getTime() + 2 * 24 * 3600_000);
    h.clock.set(later);
    const out = await h.writer.write(plant, planner, async (ctx) => ctx.state.route!.get(o.id)!.plannedRelease);
    h.clock.set(START);
    const events = await eventsOf(plant, seq);
    expect(events.map((e) => [e.type, e.actor])).toContainEqual(['schedule.time-passed', 'system']);
    const passed = events.find((e) => e.type === 'schedule.time-passed')!;
    expect(passed.data).toMatchObject({ movedOrderIds: [o.id], notBefore: new Date(later.getTime() + 30 * 60_000).toISOString() });
    expect(out.result).toBe(o.planned_release_at!.getTime() / 60_000);
    expect((await findOrder(h.db.db, plant, o.id))!.changed_version).toBe(out.version);
    expect(out.version).toBe(events.at(-1)!.scheduleVersion);
  });

  it('a legacy order (no planned release) is planned by the first batch of a new state', async () => {
    const plant = await newPlant();
    const legacy = await h.writer.write(plant, planner, async (ctx) => {
      const row = await ctx.orders.insert({
        id: randomUUID(),
        status: 'confirmed',
        sku: 'P1',
        quantity: 1,
        customer: 'old',
        external_id: null,
        requested_date: '2026-12-15',
        promise_date: '2026-12-15',
        drum_deadline: new Date('2026-12-14T22:00:00Z'),
        drum_load_minutes: 40,
        production_buffer_days: 2,
        shipping_buffer_days: 1,
        seq: ctx.nextSeq(),
        drum_key: 1 << 20,
        planned_release_at: null,
        ready_at: null,
        hold_expires_at: null,
        created_by: 'test',
      });
      ctx.emit({ type: 'bench.seeded', data: { orders: 1, total: 1 } });
      return row;
    });
    expect(legacy.state.route!.get(legacy.result.id)!.plannedRelease).toBeNull();
    h.cache.invalidate(plant);
    const seq = await lastSeq(plant);
    const out = await h.writer.write(plant, planner, async (ctx) => ctx.state.route!.get(legacy.result.id)!.plannedRelease);
    expect(out.result).not.toBeNull();
    const events = await eventsOf(plant, seq);
    expect(events.find((e) => e.type === 'schedule.legacy-planned')?.data).toEqual({
      plannedOrderIds: [legacy.result.id],
      unplannableOrderIds: [],
    });
    expect((await findOrder(h.db.db, plant, legacy.result.id))!.planned_release_at).not.toBeNull();
  });

  it('the frozen window: a batch first pins the ready orders whose drum start is inside it', async () => {
    const plant = await newPlant();
    await putBufferPolicy(h.deps, null, plant, {
      productionBufferDays: 2,
      shippingBufferDays: 1,
      standardLeadTimeDays: 2,
      frozenWindowMinutes: 480,
    });
    const o = (await h.writer.write(plant, planner, order(2))).result;
    const start = o.planned_release_at!.getTime();
    h.clock.set(new Date(Math.max(start, new Date(START).getTime())));
    const seq = await lastSeq(plant);
    const out = await h.writer.write(plant, planner, async (ctx) => ctx.state.route!.get(o.id)!.pinned);
    h.clock.set(START);
    expect(out.result).toBe(true);
    const frozen = (await eventsOf(plant, seq)).find((e) => e.type === 'schedule.frozen');
    expect(frozen?.data).toEqual({ orderIds: [o.id], frozenWindowMinutes: 480 });
    expect((await findOrder(h.db.db, plant, o.id))!.pinned).toBe(true);
  });

  it('standalone deps: a writer of their own on a fresh cache, over the given database and clock', async () => {
    const plant = await newPlant();
    const deps = standaloneScheduleDeps(h.db.db, h.clock);
    expect(deps.db).toBe(h.db.db);
    expect(deps.clock).toBe(h.clock);
    expect(deps.cache).toBeInstanceOf(PlantCache);
    expect(deps.cache).not.toBe(h.cache);
    expect(deps.writer.deps.cache).toBe(deps.cache);
    const out = await deps.writer.write(plant, null, order());
    expect(deps.cache.peek(plant)).toBe(out.state);
    expect(fromMinute(out.state.version)).toBeInstanceOf(Date);
  });
});
