import { describe, expect, it } from 'vitest';
import { PlantCache } from '../../src/domain/schedule/plant-cache.ts';
import { ScheduleWriter, type WriteContext } from '../../src/domain/schedule/schedule-writer.ts';
import { openViaProxy } from '../helpers/tcp-proxy.ts';
import { plantMaker, reserveIn, sales, syncedState, useWriter, writerKinds } from '../helpers/writer-plant.ts';

// Review of the cross-plant group commit: the database goes away while a group of two plants
// holds its locks (a write of the first plant is still running). Every write of the group is
// answered once, as failed, none is stored, and once the database is back both plants take
// writes again with the process's state equal to a cold one.

const order = (customer: string) => (ctx: WriteContext) => reserveIn(ctx, { quantity: 1 }, { customer });

describe.skipIf(!writerKinds().includes('postgres'))('the database lost in the middle of a group (review)', () => {
  const h = useWriter('postgres');
  const newPlant = plantMaker(h, 'gco');

  it('answers every write of the group once, stores none, and writes both plants again once it is back', async () => {
    const [p, q] = [await newPlant(), await newPlant()];
    const { proxy, handle, close } = await openViaProxy(h.db.url!);
    try {
      const cache = new PlantCache();
      const w = new ScheduleWriter({ db: handle.db, clock: h.clock, cache });
      const groups: number[] = [];
      w.groupObserver = (n) => void groups.push(n);
      let open!: () => void;
      const gate = new Promise<void>((r) => (open = r));
      let running!: () => void;
      const started = new Promise<void>((r) => (running = r));
      const releaseP = w.hold(p);
      const releaseQ = w.hold(q);
      const settled: string[] = [];
      const track = (name: string, x: Promise<unknown>) =>
        x.then(
          () => void settled.push(`${name} ok`),
          () => void settled.push(`${name} failed`),
        );
      const writes = [
        track(
          'p1',
          w.write(p, sales, async (ctx) => {
            running();
            await gate;
            return order('p1')(ctx);
          }),
        ),
        track('p2', w.write(p, sales, order('p2'))),
        track('q1', w.write(q, sales, order('q1'))),
      ];
      releaseP();
      releaseQ();
      await started;
      proxy.cut();
      open();
      await Promise.all(writes);
      expect(groups[0]).toBe(2);
      expect(settled.sort()).toEqual(['p1 failed', 'p2 failed', 'q1 failed']);
      const stored = await h.db.db.selectFrom('orders').select('customer').where('plant_id', 'in', [p, q]).execute();
      expect(stored).toEqual([]);
      proxy.restore();
      await Promise.all([w.write(p, sales, order('p3')), w.write(q, sales, order('q3'))]);
      for (const plant of [p, q]) {
        const warm = (await syncedState(h, plant, cache)).book
          ?.orders()
          .map((o) => o.id)
          .sort();
        const cold = (await syncedState(h, plant)).book
          ?.orders()
          .map((o) => o.id)
          .sort();
        expect(warm).toEqual(cold);
        expect(warm).toHaveLength(1);
      }
    } finally {
      await close();
    }
  });
});
