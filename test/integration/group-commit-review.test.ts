import { describe, expect, it } from 'vitest';
import { readState } from '../../src/domain/promising/read-state.ts';
import { ScheduleWriter, type ScheduleDeps, type WriteContext } from '../../src/domain/schedule/schedule-writer.ts';
import { plantMaker, reserveIn, sales, useWriter, writerKinds, type WriterHarness } from '../helpers/writer-plant.ts';

// Found in review of the cross-plant group commit (commit-group.ts, ScheduleWriter.runGroup).
// Each test is marked `it.fails`: it states the correct behaviour and fails on the branch as
// it is. What "does not wait" means here: the other plant's work finishes while the slow
// write is still held open by a gate that only the test opens (afterwards); `STUCK_MS` only
// turns a wait that would last as long as the slow write into a failed assertion instead of
// a hung test.

const STUCK_MS = 2000;

const order =
  (customer = 'acme') =>
  (ctx: WriteContext) =>
    reserveIn(ctx, { quantity: 1 }, { customer });

/** A write that holds its transaction open (plant lock and turn held, order written) until `open()`. */
function slowWrite(w: ScheduleWriter, plant: string) {
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  let started!: () => void;
  const running = new Promise<void>((r) => (started = r));
  const done = w.write(plant, sales, async (ctx) => {
    const row = await order('slow')(ctx);
    started();
    await gate;
    return row;
  });
  return { open, running, done };
}

/** 'done' if `p` settles first, 'stuck' if it is still waiting after STUCK_MS. */
const settlesOrStuck = (p: Promise<unknown>) =>
  Promise.race([
    p.then(
      () => 'done' as const,
      () => 'done' as const,
    ),
    new Promise<'stuck'>((r) => setTimeout(() => r('stuck'), STUCK_MS)),
  ]);

const customersOf = async (h: WriterHarness, plant: string) =>
  (await h.db.db.selectFrom('orders').select('customer').where('plant_id', '=', plant).orderBy('customer').execute()).map(
    (r) => r.customer,
  );

describe.skipIf(!writerKinds().includes('postgres'))('cross-plant group commit review on postgres', () => {
  const h = useWriter('postgres');
  const newPlant = plantMaker(h, 'gcr');

  // Defect (head-of-line blocking across plants): CommitLoop.pump starts a plant that is alone
  // only when no transaction of the loop runs (`ready.length === 1 && inFlight === 0`). The 20 ms
  // release covers only a per-plant batch that waits for its *row lock*; once a plant's batch
  // holds its lock, a slow transaction (a capacity change that rebuilds a big plant, a slow
  // hook, a write that awaits the database long) keeps the loop's slot, and every write of
  // every other plant of the process that comes alone waits for it, although it needs nothing
  // that transaction holds and the second slot is idle. On main each plant's batch ran in its
  // own transaction at once. Correct: q's lone write commits while p's slow write is still open.
  it.fails("a lone plant's write does not wait for another plant's slow transaction", async () => {
    const [p, q] = [await newPlant(), await newPlant()];
    const w = new ScheduleWriter({ db: h.db.db, clock: h.clock, cache: h.cache });
    const slow = slowWrite(w, p);
    await slow.running;
    const qWrite = w.write(q, sales, order('b'));
    try {
      expect(await settlesOrStuck(qWrite)).toBe('done');
      expect(await customersOf(h, q)).toEqual(['b']);
    } finally {
      slow.open();
      await slow.done;
      await qWrite;
    }
  });

  // Defect (reads of one plant wait for another plant's write): runGroup takes the turn
  // (PlantCache.take) of every plant of the group before the first plant's batch runs, and
  // gives them all back only after the group's commit. A read of plant q that must sync (no
  // change feed, or news) waits for the turn, so it waits for plant p's whole batch, not for
  // q's own. The writer's documented promise (read-state.ts: a read waits "≈ one batch", its
  // own plant's) no longer holds: q's reads are as slow as the slowest plant of the group.
  // Correct: q's turn is taken when q's batch starts (or q's committed state stays readable),
  // so the read answers while p's slow write is still open.
  it.fails("a read of one plant of a group does not wait for another plant's slow write", async () => {
    const [p, q] = [await newPlant(), await newPlant()];
    const w = new ScheduleWriter({ db: h.db.db, clock: h.clock, cache: h.cache });
    const deps: ScheduleDeps = { ...w.deps, writer: w };
    // Both plants ready in the same turn of the event loop: one group, p's batch first.
    const releaseP = w.hold(p);
    const releaseQ = w.hold(q);
    const slow = slowWrite(w, p);
    const qWrite = w.write(q, sales, order('b'));
    releaseP();
    releaseQ();
    await slow.running;
    const read = readState(deps, q);
    try {
      expect(await settlesOrStuck(read)).toBe('done');
    } finally {
      slow.open();
      await slow.done;
      await qWrite;
      await read;
    }
  });
});
