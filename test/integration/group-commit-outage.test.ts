import { describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/database.ts';
import { isDatabaseUnavailable } from '../../src/domain/errors.ts';
import { PlantCache } from '../../src/domain/schedule/plant-cache.ts';
import { ScheduleWriter, type WriteContext } from '../../src/domain/schedule/schedule-writer.ts';
import { openViaProxy } from '../helpers/tcp-proxy.ts';
import { plantMaker, reserveIn, sales, useWriter, writerKinds } from '../helpers/writer-plant.ts';

// The database is away before a group of plants gets its locks: the group tries once more (on
// another connection: a stale pooled one looks the same), then each write fails, as a single
// plant's write does (schedule-writer-batch.test.ts: an outage fails the whole batch without
// retries), instead of every plant counting as skipped and each write trying twice more.

const order = (customer: string) => (ctx: WriteContext) => reserveIn(ctx, { quantity: 1 }, { customer });

/** `db`, counting the transactions begun through it. */
function counted(db: Db) {
  const seen = { transactions: 0 };
  const wrapped = new Proxy(db, {
    get(target, prop, receiver) {
      if (prop === 'transaction') {
        return () => {
          seen.transactions++;
          return target.transaction();
        };
      }
      return Reflect.get(target, prop, receiver) as unknown;
    },
  });
  return { db: wrapped, seen };
}

describe.skipIf(!writerKinds().includes('postgres'))('a group of plants with the database away before its lock', () => {
  const h = useWriter('postgres');
  const newPlant = plantMaker(h, 'gow');

  it('fails every write of the group after a second attempt, with the outage, and writes again once it is back', async () => {
    const [p, q] = [await newPlant(), await newPlant()];
    const { proxy, handle, close } = await openViaProxy(h.db.url!);
    try {
      const { db, seen } = counted(handle.db);
      const w = new ScheduleWriter({ db, clock: h.clock, cache: new PlantCache() });
      const groups: number[] = [];
      w.groupObserver = (n) => void groups.push(n);
      const sizes: number[] = [];
      w.observeBatches((_, size) => void sizes.push(size));
      const releases = [w.hold(p), w.hold(q)];
      const writes = [w.write(p, sales, order('p1')), w.write(p, sales, order('p2')), w.write(q, sales, order('q1'))];
      proxy.cut();
      for (const release of releases) release();
      const settled = await Promise.allSettled(writes);
      for (const s of settled) {
        expect(s.status).toBe('rejected');
        expect(isDatabaseUnavailable((s as PromiseRejectedResult).reason)).toBe(true);
      }
      // Two group transactions tried (the second on another connection: one stale pooled
      // connection looks the same as an outage), no lock taken, no plant's batch run on its own.
      expect(seen.transactions).toBe(2);
      expect(groups).toEqual([]);
      expect(sizes).toEqual([]);
      expect(await h.db.db.selectFrom('orders').select('id').where('plant_id', 'in', [p, q]).execute()).toEqual([]);

      proxy.restore();
      await Promise.all([w.write(p, sales, order('p3')), w.write(q, sales, order('q3'))]);
      const stored = await h.db.db.selectFrom('orders').select('customer').where('plant_id', 'in', [p, q]).orderBy('customer').execute();
      expect(stored.map((r) => r.customer)).toEqual(['p3', 'q3']);
    } finally {
      await close();
    }
  });
});
