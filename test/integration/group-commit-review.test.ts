import { sql } from 'kysely';
import { DomainError } from '../../src/domain/errors.ts';
import { describe, expect, it } from 'vitest';
import { readState } from '../../src/domain/promising/read-state.ts';
import { ScheduleWriter, type ScheduleDeps, type WriteContext } from '../../src/domain/schedule/schedule-writer.ts';
import { plantMaker, reserveIn, sales, useWriter, writerKinds, type WriterHarness } from '../helpers/writer-plant.ts';

// Found in review of the cross-plant group commit (commit-group.ts, ScheduleWriter.runGroup).
// Each test states the correct behaviour; each failed on the branch as reviewed. Fixed: a
// ready batch goes on its own after LOCK_WAIT_MS (CommitLoop.commit); a plant's turn is taken
// when its part of the group starts; a failed group's plants rerun side by side; a
// transaction one of whose statements failed unnoticed cannot commit (deferred-statements.ts). What "does not wait" means here: the other plant's work finishes while the slow
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
  it("a lone plant's write does not wait for another plant's slow transaction", async () => {
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
  it("a read of one plant of a group does not wait for another plant's slow write", async () => {
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

// Defect (one plant's failed rows are reported to another plant's write): in a group, a plant's
// batch leaves its rows and events to be sent later (sendLater: with the next statement or the
// COMMIT). On main that next statement was the batch's own COMMIT or hook; here it is the first
// statement of the next plant's write, inside that write's code. A write that turns a unique
// violation of its own statement into a refusal (as putResource's store() does) then refuses
// itself for p's failure; the transaction is aborted, and the COMMIT sent on it is answered
// ROLLBACK without an error: p's write is told it committed, q's is refused, and nothing is
// stored, while the process's state keeps the order. Seen on the branch: p fulfilled with its
// order id, q refused 409, p's order not in the database, p's cached version 3 against 2 stored.
// Reachable today only through a write that maps an error of its first statement (putResource's
// store() maps 23505, but getPlant runs before it); the COMMIT answered ROLLBACK is not checked
// anywhere (DeferringConnection.commit). Correct: p's write fails (its rows were rejected), q's write commits, and every
// write answered as committed is stored.
describe.skipIf(!writerKinds().includes('postgres'))('a plant failure reported inside another plant of its group (review)', () => {
  const h = useWriter('postgres', async (h) => {
    await sql`
      CREATE OR REPLACE FUNCTION refuse_dup_review() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.customer = 'dup' THEN RAISE unique_violation USING MESSAGE = 'injected duplicate for customer dup'; END IF;
        RETURN NEW;
      END $$`.execute(h.db.db);
    await sql`CREATE TRIGGER refuse_dup_review BEFORE INSERT ON orders FOR EACH ROW EXECUTE FUNCTION refuse_dup_review()`.execute(h.db.db);
  });
  const newPlant = plantMaker(h, 'gcd');

  // Defect (the fallback runs the plants of a failed group one after the other): settleGroup's
  // catch reruns each plant's batch alone with `await`, in group order, inside the loop's slot.
  // A plant whose rerun is slow (its write-by-write retries after a rejected row, a slow
  // write) holds back the rerun, and so the answers, of every plant after it, which did nothing
  // wrong; on main each plant's fallback ran in its own drain. Correct: q's write, rerun after
  // the group failed for p's rejected row, commits while p's rerun is still running.
  it("after a group failed for one plant's row, the other plants' reruns do not wait for its rerun", async () => {
    const [p, q] = [await newPlant(), await newPlant()];
    const w = new ScheduleWriter({ db: h.db.db, clock: h.clock, cache: h.cache });
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    let calls = 0;
    const releaseP = w.hold(p);
    const releaseQ = w.hold(q);
    // p's write: rejected by PostgreSQL (fails the group); its rerun alone is slow.
    const pWrite = w.write(p, sales, async (ctx) => {
      if (++calls > 1) await gate;
      return order('dup')(ctx);
    });
    const qWrite = w.write(q, sales, order('b'));
    releaseP();
    releaseQ();
    try {
      expect(await settlesOrStuck(qWrite)).toBe('done');
    } finally {
      open();
      await Promise.allSettled([pWrite, qWrite]);
    }
  });

  it("a write that maps its own unique violation to a refusal is not refused for another plant's rows", async () => {
    const [p, q] = [await newPlant(), await newPlant()];
    const w = new ScheduleWriter({ db: h.db.db, clock: h.clock, cache: h.cache });
    // Both plants warm in this process: q's batch sends nothing before its write's statement.
    await w.write(p, sales, order('warm-p'));
    await w.write(q, sales, order('warm-q'));
    // The plants' drains end a few turns after their writes are answered (hold refuses a plant in flight).
    await new Promise((r) => setTimeout(r, 20));
    const releaseP = w.hold(p);
    const releaseQ = w.hold(q);
    const pWrite = w.write(p, sales, order('dup'));
    const qWrite = w.write(q, sales, async (ctx) => {
      try {
        await sql`SELECT 1`.execute(ctx.tx);
      } catch (e) {
        if ((e as { code?: string }).code === '23505') throw new DomainError('conflict', 'a twin got there first');
        throw e;
      }
      return order('b')(ctx);
    });
    releaseP();
    releaseQ();
    const [ps, qs] = await Promise.allSettled([pWrite, qWrite]);
    const stored = await customersOf(h, p);
    expect({ p: ps.status, q: qs.status, pStored: stored.includes('dup') }).toEqual({ p: 'rejected', q: 'fulfilled', pStored: false });
    expect(await customersOf(h, q)).toContain('b');
    // On the branch the process's state of p also keeps the order that was never stored, a version
    // ahead of the database (seen: cached 3, stored 2), and sync only ever moves a state forward.
    const v = await h.db.db.selectFrom('plants').select('schedule_version').where('id', '=', p).executeTakeFirstOrThrow();
    expect(h.cache.peek(p)?.version ?? v.schedule_version).toBe(v.schedule_version);
  });
});
