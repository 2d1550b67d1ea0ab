import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PlantCache } from '../../src/domain/schedule/plant-cache.ts';
import { realPostgresAvailable } from '../helpers/db.ts';
import { openWriter, otherProcess, planner, reserveIn, setUpPlant, type WriterHarness } from '../helpers/writer-plant.ts';

// Where a batch reads the orders changed since its state's version (ScheduleWriter.commitBatch):
// with the plant lock, in one round trip, only where the last batch found another process's
// commit; after the lock, in a round trip of its own, when the guess was wrong; never on a plant
// only this process writes. Counted where statements leave the process (pg's Client.query), on
// PostgreSQL, where a round trip is what a batch costs under the lock.

/** The raw catch-up read of changed orders (db/repos/orders.ts changedDrumRowsQuery). */
const READS_CHANGES = 'AND changed_version > ';
const LOCKS = 'FOR UPDATE';

describe.runIf(realPostgresAvailable())('catch-up reads of a batch on postgres', () => {
  let h: WriterHarness;
  let texts: string[] = [];
  beforeAll(async () => {
    h = await openWriter('postgres');
    await setUpPlant(h, 'reads');
    const send = pg.Client.prototype.query as (this: unknown, ...args: unknown[]) => unknown;
    vi.spyOn(pg.Client.prototype, 'query').mockImplementation(function (this: unknown, ...args: unknown[]) {
      const text = typeof args[0] === 'string' ? args[0] : ((args[0] as { text?: string } | undefined)?.text ?? '');
      texts.push(text);
      return send.apply(this, args) as never;
    } as never);
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await h.close();
  });

  /** What one write of `w` sent: change reads with the lock, on their own, and the builder's catch-up reads. */
  async function readsOf(w: ReturnType<typeof otherProcess>) {
    texts = [];
    const out = await w.write('reads', planner, (ctx) => reserveIn(ctx, { quantity: 1 }));
    const changes = texts.filter((t) => t.includes(READS_CHANGES));
    return {
      withLock: changes.filter((t) => t.includes(LOCKS)).length,
      alone: changes.filter((t) => !t.includes(LOCKS)).length,
      // sync reading for itself (drumRows, built by Kysely: quoted identifiers).
      ownRead: texts.filter((t) => t.includes('"changed_version" >')).length,
      state: out.state,
    };
  }

  it('reads changes with the lock only after finding another process commit, alone when it guessed wrong', async () => {
    const cache = new PlantCache();
    const mine = otherProcess(h, cache);
    const theirs = otherProcess(h);
    // No state yet: nothing to catch up from (a cold build).
    expect(await readsOf(mine)).toMatchObject({ withLock: 0, alone: 0, ownRead: 0 });
    // A state, and no batch of it has looked yet: it reads with the lock.
    expect(await readsOf(mine)).toMatchObject({ withLock: 1, alone: 0, ownRead: 0 });
    // Nothing had moved: from now on the lock goes alone.
    expect(await readsOf(mine)).toMatchObject({ withLock: 0, alone: 0, ownRead: 0 });
    expect(await readsOf(mine)).toMatchObject({ withLock: 0, alone: 0, ownRead: 0 });
    // Another process commits: one round trip more after the lock, and the state catches up from it.
    const their = (await theirs.write('reads', planner, (ctx) => reserveIn(ctx, { quantity: 1 }))).result;
    const wrong = await readsOf(mine);
    expect(wrong).toMatchObject({ withLock: 0, alone: 1, ownRead: 0 });
    expect(wrong.state.book!.get(their.id)).toBeDefined();
    // The next batch guesses that others write: with the lock again.
    expect(await readsOf(mine)).toMatchObject({ withLock: 1, alone: 0, ownRead: 0 });
    expect(await readsOf(mine)).toMatchObject({ withLock: 0, alone: 0, ownRead: 0 });
  });
});
