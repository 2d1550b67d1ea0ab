import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { openPostgres } from '../../src/db/connect.ts';
import type { Db } from '../../src/db/database.ts';
import { isDatabaseUnavailable } from '../../src/domain/errors.ts';
import { PlantCache } from '../../src/domain/schedule/plant-cache.ts';
import { ScheduleWriter, type WriteContext } from '../../src/domain/schedule/schedule-writer.ts';
import { openViaProxy } from '../helpers/tcp-proxy.ts';
import { holdPlantLock } from '../helpers/write-batch.ts';
import { plantMaker, reserveIn, sales, useWriter, writerKinds } from '../helpers/writer-plant.ts';

// Review of d706f51 (group commit: the database away fails every write of the group at once).
// The change also applies after the lock answered: a plant the group skipped (its lock held by
// another process, so its batch never touched the group's transaction) now fails with the
// group's connection error. One dropped connection (a proxy or pooler restart, an idle
// timeout, pg_terminate_backend) is enough: the database is up, the skipped plant's own
// per-plant transaction would run on another connection and store the write, and before
// d706f51 the skipped plant went back to the loop and did.

const order = (customer: string) => (ctx: WriteContext) => reserveIn(ctx, { quantity: 1 }, { customer });

describe.skipIf(!writerKinds().includes('postgres'))('a group whose connection drops after its lock', () => {
  const h = useWriter('postgres');
  const newPlant = plantMaker(h, 'trv');

  it('does not fail the write of a plant it skipped (locked elsewhere, database up): it stores it once the lock is free', async () => {
    const [p, q] = [await newPlant(), await newPlant()];
    const { proxy, handle, close } = await openViaProxy(h.db.url!);
    // q's row is locked by another process (directly, not through the proxy): the group skips it.
    const elsewhere = await holdPlantLock(h.db.db, q);
    try {
      const w = new ScheduleWriter({ db: handle.db, clock: h.clock, cache: new PlantCache() });
      const groups: number[] = [];
      // The group's lock answered (p locked, q skipped): its connection drops now, once; new
      // connections work again at once.
      w.groupObserver = (n) => {
        groups.push(n);
        if (groups.length === 1) {
          proxy.cut();
          proxy.restore();
        }
      };
      const releases = [w.hold(p), w.hold(q)];
      const pWrite = w.write(p, sales, order('p1'));
      const qWrite = w.write(q, sales, order('q1'));
      const qSettled = Promise.allSettled([qWrite]);
      for (const release of releases) release();

      // p's part was in the dropped transaction: its write fails with the outage (as alone).
      const [pOut] = await Promise.allSettled([pWrite]);
      expect(groups[0]).toBe(1);
      expect(pOut.status).toBe('rejected');
      expect(isDatabaseUnavailable((pOut as PromiseRejectedResult).reason)).toBe(true);

      // q never reached the database; the lock holder finishes, and q's write should commit.
      await elsewhere.release();
      const [qOut] = await qSettled;
      expect(qOut.status === 'rejected' ? String((qOut as PromiseRejectedResult).reason) : 'stored').toBe('stored');
      const stored = await h.db.db.selectFrom('orders').select('customer').where('plant_id', '=', q).execute();
      expect(stored.map((r) => r.customer)).toEqual(['q1']);
    } finally {
      await elsewhere.release();
      await close();
    }
  });
});

// Review of d706f51 with 8a63310: a failure before the group's lock answered that is not an
// outage (here PostgreSQL's "too many clients", 53300, when the group's transaction asks for a
// connection) now reruns every plant of the group on the per-plant path at once, in the loop's
// turn: each holds a connection and waits for its lock, however many plants the group had (up
// to 16) and whoever holds their locks. MAX_ASIDE's bound (at most 4 + the loop's 2 lock waits
// per process, so reads keep connections of the pool of 10) does not hold. Before d706f51 the
// plants went back to the loop as skipped, and the loop bounds their lock waits.

/** `db` whose first transaction fails before BEGIN with `error`. */
function firstTransactionFails(db: Db, error: Error): Db {
  let failed = false;
  return new Proxy(db, {
    get(target, prop) {
      if (prop === 'transaction' && !failed) {
        return () => {
          failed = true;
          return {
            execute: () => Promise.reject(error),
          };
        };
      }
      // Kysely's private fields: its methods run on the real object.
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

describe.skipIf(!writerKinds().includes('postgres'))('a group whose transaction fails before its lock, not an outage', () => {
  const h = useWriter('postgres');
  const newPlant = plantMaker(h, 'trw');
  const MAX_LOCK_WAITS = 4 + 2; // MAX_ASIDE + the loop's two turns

  it('keeps the lock waits of its plants within MAX_ASIDE and the loop', async () => {
    const plants: string[] = [];
    for (let i = 0; i < 8; i++) plants.push(await newPlant());
    const app = `trw-${process.pid}`;
    const url = new URL(h.db.url!);
    url.searchParams.set('application_name', app);
    const handle = openPostgres(url.toString(), 10);
    // Every plant locked by another process (not through the writer's pool).
    const elsewhere = [];
    for (const p of plants) elsewhere.push(await holdPlantLock(h.db.db, p));
    const tooMany = Object.assign(new Error('sorry, too many clients already'), { code: '53300' });
    const w = new ScheduleWriter({ db: firstTransactionFails(handle.db, tooMany), clock: h.clock, cache: new PlantCache() });
    const writes: Promise<unknown>[] = [];
    try {
      const releases = plants.map((p) => w.hold(p));
      for (const p of plants) writes.push(w.write(p, sales, order(`${p}-1`)));
      for (const release of releases) release();
      // The most lock waits of the writer's connections seen within 3 s (a loaded machine may
      // take a while to open them).
      let most = 0;
      for (const until = Date.now() + 3_000; most <= MAX_LOCK_WAITS && Date.now() < until;) {
        await new Promise((r) => setTimeout(r, 50));
        const waits = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE application_name = ${app} AND wait_event_type = 'Lock'`.execute(h.db.db);
        most = Math.max(most, waits.rows[0]!.n);
      }
      expect(most).toBeLessThanOrEqual(MAX_LOCK_WAITS);
    } finally {
      for (const e of elsewhere) await e.release();
      await Promise.allSettled(writes);
      await handle.close();
    }
  });
});
