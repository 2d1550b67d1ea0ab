import { describe, expect, it } from 'vitest';
import { listEvents } from '../../src/db/repos/events.ts';
import { findOrder } from '../../src/db/repos/orders.ts';
import { DomainError } from '../../src/domain/errors.ts';
import { fromMinute, toMinute } from '../../src/domain/schedule/plant-cache.ts';
import type { WriteContext } from '../../src/domain/schedule/schedule-writer.ts';
import { otherProcess, planner, plantMaker, reserveIn, useWriter, writerKinds } from '../helpers/writer-plant.ts';

// ScheduleWriter driven directly (no HTTP): versions, events, group commit with refusals and
// failures, hooks, capacity rules inside a batch, due holds, simulations and the catch-up
// from another process's commits. Each assertion reads the database and the engine state.

const refusal = () => new DomainError('conflict', 'refused by the test');

describe.each(writerKinds())('ScheduleWriter on %s', (kind) => {
  const h = useWriter(kind);

  const newPlant = plantMaker(h, 'w');
  const versionOf = (plant: string) =>
    h.db.db
      .selectFrom('plants')
      .select(['schedule_version', 'config_version', 'order_seq'])
      .where('id', '=', plant)
      .executeTakeFirstOrThrow();
  /** A write's outcome is reported before its queue is gone: a turn later, the plant may be held again. */
  const settled = () => new Promise((resolve) => setImmediate(resolve));
  const eventsOf = async (plant: string, after = 0) => listEvents(h.db.db, plant, after, 1000);
  const lastSeq = async (plant: string) => (await eventsOf(plant)).at(-1)?.seq ?? 0;
  const order =
    (quantity = 3) =>
    (ctx: WriteContext) =>
      reserveIn(ctx, { quantity });

  it('commits a write with events as the next version: events in order, with the actor, the order sequence stored', async () => {
    const plant = await newPlant();
    const before = await versionOf(plant);
    const seqBefore = await lastSeq(plant);
    const out = await h.writer.write(plant, planner, async (ctx) => {
      expect(ctx.nextVersion).toBe(before.schedule_version + 1);
      expect(ctx.now.toISOString()).toBe(h.clock.now().toISOString());
      expect(ctx.nowMinute * 60_000).toBe(h.clock.now().getTime());
      return [await reserveIn(ctx, { quantity: 2 }), await reserveIn(ctx, { quantity: 4 })];
    });
    const after = await versionOf(plant);
    expect(out.version).toBe(before.schedule_version + 1);
    expect(after.schedule_version).toBe(out.version);
    expect(out.state.version).toBe(out.version);
    expect(h.cache.peek(plant)).toBe(out.state);
    const [a, b] = out.result;
    expect(b!.seq).toBe(a!.seq + 1);
    expect(after.order_seq).toBe(b!.seq);
    const events = await eventsOf(plant, seqBefore);
    expect(events.map((e) => [e.seq, e.type, e.orderId, e.scheduleVersion, e.actor])).toEqual([
      [seqBefore + 1, 'order.created', a!.id, out.version, 'planner:pat (k-pl)'],
      [seqBefore + 2, 'order.created', b!.id, out.version, 'planner:pat (k-pl)'],
    ]);
    expect(events[0]!.data).toMatchObject({ promiseDate: a!.promise_date, drumLoadMinutes: 50, status: 'confirmed' });
    // Rows as stamped by the writer: the plant, the version, the time.
    const stored = await findOrder(h.db.db, plant, a!.id);
    expect(stored).toMatchObject({ plant_id: plant, changed_version: out.version, created_by: 'planner:pat (k-pl)' });
    expect(stored!.created_at.toISOString()).toBe(h.clock.now().toISOString());
    expect(out.state.book!.get(a!.id)).toBeDefined();
    expect(out.state.route!.get(b!.id)!.ops).toHaveLength(1);
  });

  it('a system write (no actor) is recorded as system', async () => {
    const plant = await newPlant();
    const seqBefore = await lastSeq(plant);
    await h.writer.write(plant, null, order());
    expect((await eventsOf(plant, seqBefore)).map((e) => e.actor)).toEqual(['system']);
  });

  it('a write without events moves no version and gives its sequence numbers back', async () => {
    const plant = await newPlant();
    const before = await versionOf(plant);
    const out = await h.writer.write(plant, planner, async (ctx) => ctx.nextSeq());
    expect(out.result).toBe(before.order_seq + 1);
    expect(out.version).toBe(before.schedule_version);
    expect(await versionOf(plant)).toMatchObject({ schedule_version: before.schedule_version, order_seq: before.order_seq });
    const next = await h.writer.write(plant, planner, order());
    expect(next.result.seq).toBe(before.order_seq + 1);
    expect(next.version).toBe(before.schedule_version + 1);
  });

  it('an unknown plant is a 404 and changes nothing', async () => {
    await expect(h.writer.write('nowhere', planner, order())).rejects.toMatchObject({ kind: 'not-found' });
    expect(h.cache.peek('nowhere')).toBeUndefined();
  });

  it('group commit: a refused write leaves no row, event, sequence number or engine trace; the others commit', async () => {
    const plant = await newPlant();
    await h.writer.write(plant, planner, order());
    const before = await versionOf(plant);
    const seqBefore = await lastSeq(plant);
    await settled();
    const release = h.writer.hold(plant);
    expect(() => h.writer.hold(plant)).toThrow(/already in flight/);
    const seen: { refused: unknown[]; succeeded: number[] } = { refused: [], succeeded: [] };
    let refusedId = '';
    const first = h.writer.write(plant, planner, order(1), { succeeded: async (_tx, o) => void seen.succeeded.push(o.version) });
    const second = h.writer.write(
      plant,
      planner,
      async (ctx) => {
        refusedId = (await reserveIn(ctx, { quantity: 5 })).id;
        throw refusal();
      },
      { refused: async (_tx, e) => void seen.refused.push(e) },
    );
    const third = h.writer.write(plant, planner, order(2));
    expect(h.writer.queued(plant)).toBe(3);
    expect(h.writer.queued('other')).toBe(0);
    release();
    const [a, b, c] = await Promise.allSettled([first, second, third]);
    expect(h.writer.queued(plant)).toBe(0);
    expect(a.status).toBe('fulfilled');
    expect(c.status).toBe('fulfilled');
    expect(b).toMatchObject({ status: 'rejected', reason: { kind: 'conflict' } });
    const one = (a as PromiseFulfilledResult<Awaited<typeof first>>).value;
    const three = (c as PromiseFulfilledResult<Awaited<typeof third>>).value;
    expect([one.version, three.version]).toEqual([before.schedule_version + 1, before.schedule_version + 2]);
    expect(three.result.seq).toBe(one.result.seq + 1);
    expect(one.state).toBe(three.state);
    expect(seen.succeeded).toEqual([before.schedule_version + 1]);
    expect(seen.refused).toHaveLength(1);
    expect(seen.refused[0]).toBe((b as PromiseRejectedResult).reason);
    expect(await versionOf(plant)).toMatchObject({ schedule_version: three.version, order_seq: three.result.seq });
    const events = await eventsOf(plant, seqBefore);
    expect(events.map((e) => [e.orderId, e.scheduleVersion])).toEqual([
      [one.result.id, one.version],
      [three.result.id, three.version],
    ]);
    expect(await findOrder(h.db.db, plant, refusedId)).toBeUndefined();
    expect(await findOrder(h.db.db, plant, three.result.id)).toBeDefined();
    expect(three.state.book!.get(refusedId)).toBeUndefined();
    expect(three.state.route!.get(refusedId)).toBeUndefined();
    expect(three.state.book!.get(one.result.id)).toBeDefined();
  });

  it('a refused write that sent statements is rolled back to its savepoint', async () => {
    const plant = await newPlant();
    const kept = (await h.writer.write(plant, planner, order())).result;
    await settled();
    const release = h.writer.hold(plant);
    const fresh = h.writer.write(plant, planner, order(1));
    const refused = h.writer.write(plant, planner, async (ctx) => {
      await ctx.orders.update(kept.id, { customer: 'changed' });
      ctx.emit({ type: 'bench.seeded', data: { orders: 0, total: 0 } });
      throw refusal();
    });
    release();
    await expect(refused).rejects.toMatchObject({ kind: 'conflict' });
    const stored = await findOrder(h.db.db, plant, kept.id);
    expect(stored!.customer).toBe('acme');
    expect(stored!.changed_version).toBe(kept.changed_version);
    expect((await fresh).version).toBe(kept.changed_version + 1);
  });

  it('a write sees the new orders of the writes before it in its batch (read your writes)', async () => {
    const plant = await newPlant();
    const release = h.writer.hold(plant);
    const ids: string[] = [];
    const first = h.writer.write(plant, planner, async (ctx) => {
      const rows = [await reserveIn(ctx, { quantity: 1 }), await reserveIn(ctx, { quantity: 1 })];
      ids.push(...rows.map((r) => r.id));
    });
    const second = h.writer.write(plant, planner, async (ctx) => {
      const mine = await reserveIn(ctx, { quantity: 1 });
      return [...(await Promise.all([...ids, mine.id].map((id) => findOrder(ctx.tx, plant, id))))].map((r) => r?.id);
    });
    release();
    await first;
    const seen = (await second).result;
    expect(seen).toEqual([...ids, seen[2]]);
    expect(seen.every((id) => id !== undefined)).toBe(true);
  });

  it('a failure that is no refusal runs each write of the batch again alone: only the failing one fails', async () => {
    const plant = await newPlant();
    const before = await versionOf(plant);
    const runs = { good: 0, bad: 0 };
    const release = h.writer.hold(plant);
    const sizes: number[] = [];
    h.writer.observeBatches((seconds, size) => {
      expect(seconds).toBeGreaterThanOrEqual(0);
      sizes.push(size);
    });
    const good = (q: number) => async (ctx: WriteContext) => {
      runs.good++;
      return reserveIn(ctx, { quantity: q });
    };
    const a = h.writer.write(plant, planner, good(1));
    const bad = h.writer.write(plant, planner, async () => {
      runs.bad++;
      throw new TypeError('a bug');
    });
    const c = h.writer.write(plant, planner, good(2));
    release();
    const [one, two, three] = await Promise.allSettled([a, bad, c]);
    h.writer.observeBatches(() => undefined);
    expect(two).toMatchObject({ status: 'rejected', reason: new TypeError('a bug') });
    // The batch fails at the bad write (the third never ran), then each runs again alone.
    expect(runs).toEqual({ good: 3, bad: 2 });
    expect(sizes).toEqual([3, 1, 1, 1]);
    const o1 = (one as PromiseFulfilledResult<Awaited<typeof a>>).value;
    const o3 = (three as PromiseFulfilledResult<Awaited<typeof c>>).value;
    expect([o1.version, o3.version]).toEqual([before.schedule_version + 1, before.schedule_version + 2]);
    expect((await versionOf(plant)).schedule_version).toBe(before.schedule_version + 2);
    expect(o3.state.book!.get(o1.result.id)).toBeDefined();
  });

  it('a failing write alone fails; the state it changed is rolled back and dropped from the cache', async () => {
    const plant = await newPlant();
    const first = await h.writer.write(plant, planner, order());
    const state = first.state;
    let ghost = '';
    await expect(
      h.writer.write(plant, planner, async (ctx) => {
        ghost = (await reserveIn(ctx, { quantity: 1 })).id;
        throw new TypeError('a bug');
      }),
    ).rejects.toThrow('a bug');
    expect(h.cache.peek(plant)).toBeUndefined();
    expect(state.version).toBe(first.version);
    expect(state.book!.get(ghost)).toBeUndefined();
    expect(state.route!.get(ghost)).toBeUndefined();
    expect(await findOrder(h.db.db, plant, ghost)).toBeUndefined();
    // The next write builds a fresh state from the database.
    const next = await h.writer.write(plant, planner, order());
    expect(next.state).not.toBe(state);
    expect(next.state.book!.get(first.result.id)).toBeDefined();
    expect(next.version).toBe(first.version + 1);
  });

  it('a refusal thrown by a succeeded hook undoes its write, and the refused hook records it', async () => {
    const plant = await newPlant();
    const before = await versionOf(plant);
    const refused: DomainError[] = [];
    let id = '';
    await expect(
      h.writer.write(
        plant,
        planner,
        async (ctx) => {
          id = (await reserveIn(ctx, { quantity: 1 })).id;
        },
        {
          succeeded: async () => {
            throw refusal();
          },
          refused: async (_tx, e) => void refused.push(e),
        },
      ),
    ).rejects.toMatchObject({ kind: 'conflict' });
    expect(refused).toHaveLength(1);
    expect((await versionOf(plant)).schedule_version).toBe(before.schedule_version);
    expect(await findOrder(h.db.db, plant, id)).toBeUndefined();
    expect(h.cache.peek(plant)!.book!.get(id)).toBeUndefined();
    expect(h.cache.peek(plant)!.version).toBe(before.schedule_version);
  });

  it('after-append hooks see the batch events with their version; a failing one undoes the batch', async () => {
    const plant = await newPlant();
    const seen: [string, string, number][] = [];
    let fail = false;
    const w = otherProcess(h, h.cache);
    w.afterAppend(async (_tx, p, events) => {
      for (const e of events) seen.push([p, e.type, e.version]);
      if (fail) throw new TypeError('hook failed');
    });
    const quiet = await w.write(plant, planner, async () => 'nothing');
    expect(seen).toEqual([]);
    const out = await w.write(plant, planner, order());
    expect(seen).toEqual([[plant, 'order.created', out.version]]);
    fail = true;
    let id = '';
    await expect(
      w.write(plant, planner, async (ctx) => {
        id = (await reserveIn(ctx, { quantity: 1 })).id;
      }),
    ).rejects.toThrow('hook failed');
    expect((await versionOf(plant)).schedule_version).toBe(out.version);
    expect(await findOrder(h.db.db, plant, id)).toBeUndefined();
    expect(quiet.version).toBe(out.version - 1);
  });

  it('batches hold at most 64 writes', async () => {
    const plant = await newPlant();
    const sizes: number[] = [];
    const w = otherProcess(h, h.cache);
    w.observeBatches((_s, size) => sizes.push(size));
    const release = w.hold(plant);
    const writes = Array.from({ length: 65 }, () => w.write(plant, null, async (ctx) => ctx.nextVersion));
    release();
    const outs = await Promise.all(writes);
    expect(sizes).toEqual([64, 1]);
    expect(new Set(outs.map((o) => o.version)).size).toBe(1);
  });

  it('new capacity rules inside a batch: the next write is decided on them', async () => {
    const plant = await newPlant();
    const before = await versionOf(plant);
    const release = h.writer.hold(plant);
    const change = h.writer.write(plant, planner, async (ctx) => {
      await ctx.changeCapacityRules();
      return ctx.state.config.configVersion;
    });
    const after = h.writer.write(plant, planner, async (ctx) => ctx.state.config.configVersion);
    release();
    const [c, a] = await Promise.all([change, after]);
    expect(c.result).toBe(before.config_version);
    expect(a.result).toBe(before.config_version + 1);
    expect(a.state.config.configVersion).toBe(before.config_version + 1);
    expect(h.cache.peek(plant)).toBe(a.state);
    expect((await versionOf(plant)).config_version).toBe(before.config_version + 1);
  });

  it('a due hold expires in the next write: its row, its event at its expiry, out of the engine state', async () => {
    const plant = await newPlant();
    const hold = (await h.writer.write(plant, planner, (ctx) => reserveIn(ctx, { quantity: 2 }, { status: 'held', holdTtlSeconds: 60 })))
      .result;
    const other = (await h.writer.write(plant, planner, (ctx) => reserveIn(ctx, { quantity: 2 }, { status: 'held', holdTtlSeconds: 3600 })))
      .result;
    const seqBefore = await lastSeq(plant);
    h.clock.advance(30_000);
    const early = await h.writer.write(plant, planner, async (ctx) => ctx.state.holdExpiry.get(hold.id));
    expect(early.result).toBeDefined();
    expect((await eventsOf(plant, seqBefore)).map((e) => e.type)).toEqual([]);
    h.clock.advance(90_000);
    const out = await h.writer.write(plant, planner, async (ctx) => ctx.state.holdExpiry.get(hold.id));
    expect(out.result).toBeUndefined();
    expect(out.version).toBe(early.version + 1);
    const events = await eventsOf(plant, seqBefore);
    expect(events.map((e) => [e.type, e.orderId, e.actor, e.scheduleVersion])).toEqual([['hold.expired', hold.id, 'system', out.version]]);
    expect(events[0]!.data).toEqual({
      promiseDate: hold.promise_date,
      drumLoadMinutes: 50,
      expiredAt: hold.hold_expires_at!.toISOString(),
    });
    expect(await findOrder(h.db.db, plant, hold.id)).toMatchObject({ status: 'expired', changed_version: out.version });
    expect(out.state.book!.get(hold.id)).toBeUndefined();
    expect(out.state.route!.get(hold.id)).toBeUndefined();
    expect(out.state.book!.get(other.id)).toBeDefined();
    expect(out.state.holdExpiry.get(other.id)).toBeDefined();
    h.clock.set('2026-11-23T08:00:00Z');
  });

  it('a due expiry of an order that is no longer held is forgotten without an event, and the order leaves the engine state', async () => {
    const plant = await newPlant();
    const kept = (await h.writer.write(plant, planner, (ctx) => reserveIn(ctx, { quantity: 2 }))).result;
    const gone = (await h.writer.write(plant, planner, (ctx) => reserveIn(ctx, { quantity: 2 }))).result;
    // A stale expiry in memory (the row was confirmed meanwhile): the database has no hold to expire.
    h.cache.peek(plant)!.holdExpiry.set(gone.id, toMinute(h.clock.now()) - 1);
    const seqBefore = await lastSeq(plant);
    const out = await h.writer.write(plant, planner, async (ctx) => ctx.state.holdExpiry.get(gone.id));
    expect(out.result).toBeUndefined();
    expect(await eventsOf(plant, seqBefore)).toEqual([]);
    expect(out.state.book!.get(gone.id)).toBeUndefined();
    expect(out.state.route!.get(gone.id)).toBeUndefined();
    expect(out.state.book!.get(kept.id)).toBeDefined();
    expect(await findOrder(h.db.db, plant, gone.id)).toMatchObject({ status: 'confirmed' });
  });

  it('another process commits: the next write catches up first, whether it guessed so or not', async () => {
    const plant = await newPlant();
    const other = otherProcess(h);
    const mine1 = await h.writer.write(plant, planner, order());
    const theirs1 = await other.write(plant, planner, order());
    const mine2 = await h.writer.write(plant, planner, async (ctx) => ctx.state.book!.get(theirs1.result.id));
    expect(mine2.result).toBeDefined();
    expect(mine2.state.version).toBe(theirs1.version);
    // Now this process guesses no one else writes: a commit of the other is read after the lock.
    const mine3 = await h.writer.write(plant, planner, order());
    const theirs2 = await other.write(plant, planner, order());
    const mine4 = await h.writer.write(plant, planner, async (ctx) => [
      ctx.state.book!.get(theirs2.result.id),
      ctx.state.route!.get(theirs2.result.id),
      ctx.state.version,
    ]);
    expect(mine4.result[0]).toBeDefined();
    expect(mine4.result[1]).toBeDefined();
    expect(mine4.result[2]).toBe(theirs2.version);
    // And the other process sees this one's orders.
    const theirs3 = await other.write(plant, planner, async (ctx) =>
      [mine1.result.id, mine3.result.id].map((id) => ctx.state.book!.get(id)),
    );
    expect(theirs3.result.every((o) => o !== undefined)).toBe(true);
    const mine5 = await h.writer.write(plant, planner, async (ctx) => ctx.state.version);
    expect(mine5.result).toBe(theirs2.version);
  });

  it('a simulation writes on a fork in a transaction rolled back: nothing committed, the cache untouched', async () => {
    const plant = await newPlant();
    const base = await h.writer.write(plant, planner, order());
    const live = h.cache.peek(plant)!;
    const before = await versionOf(plant);
    const seqBefore = await lastSeq(plant);
    let simulated = '';
    const answer = await h.writer.simulate(plant, async (sim) => {
      expect(sim.scheduleVersion).toBe(before.schedule_version);
      expect(sim.state).not.toBe(live);
      expect(sim.cache.peek(plant)).toBe(sim.state);
      expect(sim.now.toISOString()).toBe(h.clock.now().toISOString());
      const w = await sim.write(planner, order(2));
      simulated = w.result.id;
      expect(w.version).toBe(before.schedule_version + 1);
      expect(w.state.book!.get(simulated)).toBeDefined();
      await expect(
        sim.write(planner, async (ctx) => {
          await reserveIn(ctx, { quantity: 1 });
          throw refusal();
        }),
      ).rejects.toMatchObject({ kind: 'conflict' });
      const w2 = await sim.write(planner, order(1));
      expect(w2.version).toBe(before.schedule_version + 2);
      return sim.state.book!.get(base.result.id) !== undefined;
    });
    expect(answer).toBe(true);
    expect(await versionOf(plant)).toMatchObject({ schedule_version: before.schedule_version, order_seq: before.order_seq });
    expect(await findOrder(h.db.db, plant, simulated)).toBeUndefined();
    expect(await eventsOf(plant, seqBefore)).toEqual([]);
    expect(h.cache.peek(plant)).toBe(live);
    expect(live.book!.get(simulated)).toBeUndefined();
    expect(live.version).toBe(before.schedule_version);
    await expect(h.writer.simulate('nowhere', async () => 1)).rejects.toMatchObject({ kind: 'not-found' });
  });

  it('simulations of a plant run one at a time, in the order asked', async () => {
    const plant = await newPlant();
    const log: string[] = [];
    const sim = (name: string) =>
      h.writer.simulate(plant, async (s) => {
        log.push(`${name} start`);
        await s.write(null, order(1));
        log.push(`${name} end`);
        return name;
      });
    expect(await Promise.all([sim('a'), sim('b'), sim('c')])).toEqual(['a', 'b', 'c']);
    expect(log).toEqual(['a start', 'a end', 'b start', 'b end', 'c start', 'c end']);
    await expect(h.writer.simulate(plant, async () => Promise.reject(refusal()))).rejects.toMatchObject({ kind: 'conflict' });
    expect(await h.writer.simulate(plant, async () => 'after')).toBe('after');
  });

  it('operation rows: a new order and a re-planned one in one batch end as their last plan', async () => {
    const plant = await newPlant();
    const kept = (await h.writer.write(plant, planner, (ctx) => reserveIn(ctx, { sku: 'SAWN', quantity: 2 }))).result;
    await settled();
    const release = h.writer.hold(plant);
    const fresh = h.writer.write(plant, planner, (ctx) => reserveIn(ctx, { sku: 'SAWN', quantity: 3 }));
    const replan = h.writer.write(plant, planner, async (ctx) => {
      ctx.operations.replace(kept.id, [
        { order_id: kept.id, position: 0, resource_id: 'saw', minutes: 9, start_at: null, end_at: null },
        { order_id: kept.id, position: 1, resource_id: 'cnc', minutes: 50, start_at: null, end_at: null },
      ] as never);
      ctx.emit({ type: 'bench.seeded', data: { orders: 0, total: 0 } });
    });
    release();
    const [f] = await Promise.all([fresh, replan]);
    const ops = await h.db.db
      .selectFrom('order_operations')
      .select(['order_id', 'position', 'resource_id', 'minutes'])
      .where('plant_id', '=', plant)
      .orderBy('order_id')
      .orderBy('position')
      .execute();
    const of = (id: string) => ops.filter((o) => o.order_id === id).map((o) => [o.position, o.resource_id, o.minutes]);
    expect(of(kept.id)).toEqual([
      [0, 'saw', 9],
      [1, 'cnc', 50],
    ]);
    expect(of(f.result.id)).toEqual([
      [0, 'saw', 8],
      [1, 'cnc', 60],
    ]);
    expect(fromMinute(0).getTime()).toBe(0);
  });
});
