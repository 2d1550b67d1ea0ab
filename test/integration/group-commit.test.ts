import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../src/domain/errors.ts';
import { ScheduleWriter, type WriteContext } from '../../src/domain/schedule/schedule-writer.ts';
import { plantMaker, reserveIn, sales, useWriter, writerKinds, type WriterHarness } from '../helpers/writer-plant.ts';
import { holdPlantLock, poisonOrders } from '../helpers/write-batch.ts';

// Cross-plant group commit (commit-group.ts): a process commits the batches of several
// plants in one transaction. What tells one transaction apart from several here is the
// database's own record, not the writer's: the txid each plant's version moved in.

const order =
  (customer = 'acme') =>
  (ctx: WriteContext) =>
    reserveIn(ctx, { quantity: 1 }, { customer });

/** A writer of its own on the harness's cache, the plants of each group transaction observed. */
function observed(h: WriterHarness) {
  const groups: number[] = [];
  const w = new ScheduleWriter({ db: h.db.db, clock: h.clock, cache: h.cache });
  w.groupObserver = (plants) => void groups.push(plants);
  return { w, groups };
}

/** Queues `writes` per plant behind held batches, then lets every plant go in the same turn of the event loop. */
async function releasedTogether(w: ScheduleWriter, writes: Record<string, ((ctx: WriteContext) => Promise<unknown>)[]>) {
  const releases = Object.keys(writes).map((plant) => w.hold(plant));
  const pending = Object.entries(writes).map(([plant, fns]) => fns.map((fn) => w.write(plant, sales, fn)));
  for (const [plant, fns] of Object.entries(writes)) expect(w.queued(plant)).toBe(fns.length);
  for (const release of releases) release();
  return Promise.all(pending.map((p) => Promise.allSettled(p)));
}

const facts = async (h: WriterHarness, plants: string[]) => {
  const rows = await h.db.db
    .selectFrom('plants')
    .select(['id', 'schedule_version', sql<string>`version_txid::text`.as('txid')])
    .where('id', 'in', plants)
    .orderBy('id')
    .execute();
  return new Map(rows.map((r) => [r.id, r]));
};

/** Whether a session of this database waits for a lock. */
const lockWaiters = async (h: WriterHarness) =>
  (
    await sql<{
      n: number;
    }>`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`.execute(h.db.db)
  ).rows[0]!.n > 0;

const customersOf = async (h: WriterHarness, plant: string) =>
  (await h.db.db.selectFrom('orders').select('customer').where('plant_id', '=', plant).orderBy('customer').execute()).map(
    (r) => r.customer,
  );

describe.each(writerKinds())('cross-plant group commit on %s', (kind) => {
  const h = useWriter(kind, (h) => poisonOrders(h.db.db));
  const newPlant = plantMaker(h, 'g');

  it('the batches of several plants ready together commit in one transaction', async () => {
    const plants = [await newPlant(), await newPlant(), await newPlant()];
    const { w, groups } = observed(h);
    const before = await facts(h, plants);
    const settled = await releasedTogether(w, Object.fromEntries(plants.map((p) => [p, [order('a'), order('b')]])));
    for (const s of settled.flat()) expect(s.status).toBe('fulfilled');
    expect(groups).toEqual([3]);
    const after = await facts(h, plants);
    // One transaction moved every plant's version (the database recorded its txid on each), by one per write.
    expect(new Set(plants.map((p) => after.get(p)!.txid)).size).toBe(1);
    for (const p of plants) {
      expect(after.get(p)!.schedule_version).toBe(before.get(p)!.schedule_version + 2);
      expect(await customersOf(h, p)).toEqual(['a', 'b']);
    }
  });

  it('a refusal undoes only its own write; the other plants and writes of the group commit with it', async () => {
    const [p, q] = [await newPlant(), await newPlant()];
    const { w, groups } = observed(h);
    const refuse = async (ctx: WriteContext) => {
      await order('refused')(ctx);
      throw new DomainError('conflict', 'refused after its order was written');
    };
    const [ps, qs] = await releasedTogether(w, { [p]: [order('a'), refuse], [q]: [order('b')] });
    expect(ps!.map((s) => s.status)).toEqual(['fulfilled', 'rejected']);
    expect(qs!.map((s) => s.status)).toEqual(['fulfilled']);
    expect(groups).toEqual([2]);
    expect(await customersOf(h, p)).toEqual(['a']);
    expect(await customersOf(h, q)).toEqual(['b']);
  });

  it('a write PostgreSQL rejects fails alone: the group rolls back, each plant runs again on its own, then write by write', async () => {
    const [p, q] = [await newPlant(), await newPlant()];
    const { w, groups } = observed(h);
    const sizes: number[] = [];
    w.observeBatches((_, size) => void sizes.push(size));
    const [ps, qs] = await releasedTogether(w, { [p]: [order('a'), order('poison'), order('c')], [q]: [order('b'), order('d')] });
    expect(ps!.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(ps![1]).toMatchObject({ reason: { message: expect.stringContaining('injected failure') } });
    expect(qs!.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled']);
    expect(groups).toEqual([2]);
    // The group (both plants), then p's batch alone and q's batch alone (side by side), then p's writes one by one.
    expect(sizes.slice(0, 2)).toEqual([3, 2]);
    expect(sizes.slice(2).sort()).toEqual([1, 1, 1, 2, 3]);
    expect(await customersOf(h, p)).toEqual(['a', 'c']);
    expect(await customersOf(h, q)).toEqual(['b', 'd']);
    // The engine state each plant's writes left is the stored one (a fresh writer's catch-up finds nothing to mend).
    const versions = await facts(h, [p, q]);
    expect(h.cache.peek(p)?.version).toBe(versions.get(p)!.schedule_version);
    expect(h.cache.peek(q)?.version).toBe(versions.get(q)!.schedule_version);
  });
});

describe.skipIf(!writerKinds().includes('postgres'))('cross-plant group commit and other lockers on postgres', () => {
  const h = useWriter('postgres');
  const newPlant = plantMaker(h, 's');

  it('a plant whose lock someone else holds is skipped, not waited for, and written once the lock is free', async () => {
    const [p, q] = [await newPlant(), await newPlant()];
    const { w, groups } = observed(h);
    const lock = await holdPlantLock(h.db.db, p);
    let pDone = false;
    const all = releasedTogether(w, { [p]: [order('a')], [q]: [order('b')] });
    // q commits while p's lock is still held by the blocker.
    while ((await customersOf(h, q)).length === 0) await new Promise((r) => setTimeout(r, 5));
    void all.then(() => (pDone = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(pDone).toBe(false);
    expect(await customersOf(h, p)).toEqual([]);
    await lock.release();
    const [ps, qs] = await all;
    expect(ps!.map((s) => s.status)).toEqual(['fulfilled']);
    expect(qs!.map((s) => s.status)).toEqual(['fulfilled']);
    expect(groups[0]).toBe(1);
    expect(await customersOf(h, p)).toEqual(['a']);
  });

  it('a plant alone waiting long for its lock does not hold up the writes of the other plants', async () => {
    const [p, q] = [await newPlant(), await newPlant()];
    const w = new ScheduleWriter({ db: h.db.db, clock: h.clock, cache: h.cache });
    const lock = await holdPlantLock(h.db.db, p);
    // p's batch is alone: it takes the per-plant path and waits for the lock.
    const pWrite = w.write(p, sales, order('a'));
    while (!(await lockWaiters(h))) await new Promise((r) => setTimeout(r, 5));
    await w.write(q, sales, order('b'));
    expect(await customersOf(h, q)).toEqual(['b']);
    expect(await customersOf(h, p)).toEqual([]);
    await lock.release();
    await pWrite;
    expect(await customersOf(h, p)).toEqual(['a']);
  });
});
