import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { findOrder } from '../../src/db/repos/orders.ts';
import { DomainError } from '../../src/domain/errors.ts';
import { ScheduleWriter, type WriteContext } from '../../src/domain/schedule/schedule-writer.ts';
import { realPostgresAvailable } from '../helpers/db.ts';
import {
  openWriter,
  planner,
  plantMaker,
  reserveIn,
  setUpPlant,
  useWriter,
  type WriterHarness,
  writerKinds,
} from '../helpers/writer-plant.ts';

// ScheduleWriter's undo and bookkeeping, driven directly: a batch that fails after its writes
// leaves the state it took as committed, a refused write with two statements leaves neither,
// a write that changes nothing appends nothing, the observer's time, the savepoints of a
// simulation's writes, the at-risk review of the orders a write changed, and (PostgreSQL)
// the round trips of a batch of new orders.

const settled = () => new Promise((resolve) => setImmediate(resolve));

describe.each(writerKinds())('ScheduleWriter undo on %s', (kind) => {
  const h = useWriter(kind);

  const newPlant = plantMaker(h, 'u', async () => {
    await settled();
  });
  const version = async (plant: string) =>
    (await h.db.db.selectFrom('plants').select('schedule_version').where('id', '=', plant).executeTakeFirstOrThrow()).schedule_version;
  const order =
    (quantity = 1) =>
    (ctx: WriteContext) =>
      reserveIn(ctx, { quantity });

  it('a batch that fails after its writes (an after-append hook) leaves the state it took as committed', async () => {
    const plant = await newPlant();
    const w = new ScheduleWriter({ db: h.db.db, clock: h.clock, cache: h.cache });
    let calls = 0;
    let fail = false;
    w.afterAppend(async () => {
      calls++;
      if (fail) throw new TypeError('hook failed');
    });
    const first = await w.write(plant, planner, order());
    expect(calls).toBe(1);
    // A write that changes nothing appends nothing: the hooks do not run.
    const quiet = await w.write(plant, planner, async () => 'nothing');
    expect(calls).toBe(1);
    expect(quiet.version).toBe(first.version);
    const state = h.cache.peek(plant)!;
    fail = true;
    let id = '';
    await expect(
      w.write(plant, planner, async (ctx) => {
        id = (await reserveIn(ctx, { quantity: 2 })).id;
      }),
    ).rejects.toThrow('hook failed');
    expect(state.version).toBe(first.version);
    expect(state.book!.get(id)).toBeUndefined();
    expect(state.route!.get(id)).toBeUndefined();
    expect(state.book!.get(first.result.id)).toBeDefined();
    expect(h.cache.peek(plant)).toBeUndefined();
    expect(await version(plant)).toBe(first.version);
  });

  it('the batch observer is told the batch time, no more than it took', async () => {
    const plant = await newPlant();
    const w = new ScheduleWriter({ db: h.db.db, clock: h.clock, cache: h.cache });
    const seen: number[] = [];
    w.observeBatches((seconds) => seen.push(seconds));
    const t0 = performance.now();
    await w.write(plant, planner, order());
    await expect(w.write('nowhere', planner, order())).rejects.toMatchObject({ kind: 'not-found' });
    const took = (performance.now() - t0) / 1000;
    expect(seen).toHaveLength(2);
    for (const s of seen) {
      expect(s).toBeGreaterThanOrEqual(0);
      expect(s).toBeLessThanOrEqual(took);
    }
  });

  it('a refused write that sent two statements is undone whole', async () => {
    const plant = await newPlant();
    const a = (await h.writer.write(plant, planner, order())).result;
    const b = (await h.writer.write(plant, planner, order())).result;
    await expect(
      h.writer.write(plant, planner, async (ctx) => {
        await ctx.orders.update(a.id, { customer: 'first' });
        await ctx.orders.update(b.id, { customer: 'second' });
        throw new DomainError('conflict', 'refused');
      }),
    ).rejects.toMatchObject({ kind: 'conflict' });
    expect((await findOrder(h.db.db, plant, a.id))!.customer).toBe('acme');
    expect((await findOrder(h.db.db, plant, b.id))!.customer).toBe('acme');
  });

  it('the writes of a simulation after one that sent statements have savepoints of their own', async () => {
    const plant = await newPlant();
    const a = (await h.writer.write(plant, planner, order())).result;
    const out = await h.writer.simulate(plant, async (sim) => {
      await sim.write(planner, async (ctx) => {
        await ctx.orders.update(a.id, { customer: 'one' });
        ctx.emit({ type: 'bench.seeded', data: { orders: 0, total: 0 } });
      });
      await expect(
        sim.write(planner, async (ctx) => {
          await ctx.orders.update(a.id, { customer: 'two' });
          throw new DomainError('conflict', 'refused');
        }),
      ).rejects.toMatchObject({ kind: 'conflict' });
      const third = await sim.write(planner, async (ctx) => (await findOrder(ctx.tx, plant, a.id))!.customer);
      return third.result;
    });
    expect(out).toBe('one');
    expect((await findOrder(h.db.db, plant, a.id))!.customer).toBe('acme');
  });
});

describe.runIf(realPostgresAvailable())('round trips of a batch of new orders on postgres', () => {
  let h: WriterHarness;
  let texts: string[] = [];
  beforeAll(async () => {
    h = await openWriter('postgres');
    await setUpPlant(h, 'trips');
    const send = pg.Client.prototype.query as (this: unknown, ...args: unknown[]) => unknown;
    vi.spyOn(pg.Client.prototype, 'query').mockImplementation(function (this: unknown, ...args: unknown[]) {
      texts.push(typeof args[0] === 'string' ? args[0] : ((args[0] as { text?: string } | undefined)?.text ?? ''));
      return send.apply(this, args) as never;
    } as never);
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await h.close();
  });

  it('new orders and their operations go out with the events and the commit: two round trips a batch', async () => {
    const w = h.writer;
    // Warm: a state, and a batch that found no other process (the lock goes alone from now on).
    await w.write('trips', planner, (ctx) => reserveIn(ctx, { quantity: 1, sku: 'SAWN' }));
    await w.write('trips', planner, (ctx) => reserveIn(ctx, { quantity: 1, sku: 'SAWN' }));
    await settled();
    texts = [];
    const release = w.hold('trips');
    const writes = [1, 2, 3].map((q) => w.write('trips', planner, (ctx) => reserveIn(ctx, { quantity: q, sku: 'SAWN' })));
    release();
    const outs = await Promise.all(writes);
    expect(texts).toHaveLength(2);
    // The rows and the events go in the batch write functions (0024), sent with the COMMIT.
    expect(texts[1]).toMatch(/drumbeat_insert_orders\(/);
    expect(texts[1]).toMatch(/drumbeat_append_events\(/);
    expect(texts.join('\n')).not.toMatch(/DELETE FROM "order_operations"/);
    const ops = await h.db.db
      .selectFrom('order_operations')
      .select('order_id')
      .where(
        'order_id',
        'in',
        outs.map((o) => o.result.id),
      )
      .execute();
    expect(ops).toHaveLength(6);
  });

  it('a re-planned order: its old operations are deleted first, in statements of their own', async () => {
    const w = h.writer;
    const o = (await w.write('trips', planner, (ctx) => reserveIn(ctx, { quantity: 1, sku: 'SAWN' }))).result;
    await settled();
    texts = [];
    await w.write('trips', planner, async (ctx) => {
      ctx.operations.replace(o.id, [
        { order_id: o.id, position: 0, resource_id: 'saw', minutes: 9, start_at: null, end_at: null },
        { order_id: o.id, position: 1, resource_id: 'cnc', minutes: 40, start_at: null, end_at: null },
      ]);
      ctx.emit({ type: 'bench.seeded', data: { orders: 0, total: 0 } });
    });
    expect(texts.join('\n')).toMatch(/delete from "order_operations"/i);
    const ops = await h.db.db
      .selectFrom('order_operations')
      .select(['position', 'minutes'])
      .where('order_id', '=', o.id)
      .orderBy('position')
      .execute();
    expect(ops).toEqual([
      { position: 0, minutes: 9 },
      { position: 1, minutes: 40 },
    ]);
  });
});
