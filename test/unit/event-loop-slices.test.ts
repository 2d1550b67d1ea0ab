import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bookWithoutLateInSlices, diffInSlices, mapInSlices, scheduleInSlices, SLICE_SIZE } from '../../src/domain/event-loop-slices.ts';
import { diffSequence } from '../../src/engine/capacity-diff.ts';
import { buildWorkingTime } from '../../src/engine/calendar.ts';
import { DrumBook } from '../../src/engine/drum-book.ts';
import { capacityChangeFromDiff } from '../../src/engine/capacity-change.ts';
import { feasibleWorkload } from '../../bench/engine/workload.ts';
import { MinuteDrum } from '../engine/helpers/drum-oracle.ts';
import { arbInstance, HORIZON, T0, wtOf } from '../engine/helpers/instances.ts';
import { arbPolicy } from '../engine/helpers/plants.ts';

/** Counts turns of the event loop that other work got while `work` ran. */
async function turnsDuring<T>(work: () => Promise<T>): Promise<{ value: T; turns: number }> {
  let turns = 0;
  let running = true;
  const tick = () => {
    if (!running) return;
    turns++;
    setImmediate(tick);
  };
  setImmediate(tick);
  const value = await work();
  running = false;
  return { value, turns };
}

describe('O(n) work in slices that yield', () => {
  const w = feasibleWorkload(5 * SLICE_SIZE + 17, 1);

  it('walks the whole schedule, identical to one walk, letting other work run between slices', async () => {
    const book = new DrumBook(w.wt, w.orders);
    const { value, turns } = await turnsDuring(() => scheduleInSlices(book, w.now, 4));
    expect(value).toEqual(book.schedule(w.now, 4));
    expect(turns).toBeGreaterThanOrEqual(5);
  });

  it('starts again when a write changes the book between slices, so the answer is one state', async () => {
    const book = new DrumBook(w.wt, w.orders);
    const victim = w.orders[w.orders.length - 1]!;
    let removed = false;
    setImmediate(() => {
      book.remove(victim.id);
      removed = true;
    });
    const schedule = await scheduleInSlices(book, w.now, 4);
    expect(removed).toBe(true);
    expect(schedule).toEqual(book.schedule(w.now, 4));
    expect(schedule.some((s) => s.id === victim.id)).toBe(false);
  });

  it('diffs a capacity change in slices exactly as in one walk, restarting after a concurrent write', async () => {
    const book = new DrumBook(w.wt, w.orders);
    const cal = w.wt.calendar;
    const day = w.wt.localDateOf(w.now + 3 * 1440);
    const after = buildWorkingTime({ ...cal, exceptions: [...cal.exceptions, { date: day, kind: 'downtime' as const }] });
    const { value, turns } = await turnsDuring(() => diffInSlices(book, w.now, after));
    expect(value).toEqual(diffSequence(book, w.now, after));
    expect(value.late.length + value.movedIds.length).toBeGreaterThan(0);
    expect(turns).toBeGreaterThanOrEqual(5);
    setImmediate(() => book.remove(w.orders[0]!.id));
    expect(await diffInSlices(book, w.now, after)).toEqual(diffSequence(book, w.now, after));
  });

  it('maps in slices, yielding every SLICE_SIZE items', async () => {
    const xs = Array.from({ length: 3 * SLICE_SIZE + 1 }, (_, i) => i);
    const { value, turns } = await turnsDuring(() => mapInSlices(xs, (x) => 2 * x));
    expect(value).toEqual(xs.map((x) => 2 * x));
    expect(turns).toBeGreaterThanOrEqual(3);
  });
});

describe('the book a capacity change re-promises on, built in slices', () => {
  const arbChange = fc.array(
    fc.record({ at: fc.integer({ min: -300, max: 1800 }), len: fc.integer({ min: 1, max: 600 }), add: fc.boolean() }),
    { minLength: 1, maxLength: 3 },
  );

  it('gives exactly the one-go answer (late, still late, earliest promises), yielding every slice', async () => {
    let sawLate = 0;
    await fc.assert(
      fc.asyncProperty(
        arbInstance({ maxOrders: 12 }),
        arbChange,
        arbPolicy,
        fc.integer({ min: 1, max: 4 }),
        async (inst, change, policy, scale) => {
          const { drum, wt, now } = inst;
          const orders = inst.orders.map((o) => ({ ...o, load: Math.floor(o.load / scale) }));
          const work = drum.work.slice();
          for (const c of change) {
            const at = Math.max(0, now - T0 + c.at);
            work.fill(c.add ? 1 : 0, at, Math.min(HORIZON, at + c.len));
          }
          const after = wtOf(new MinuteDrum(T0, work));
          const book = new DrumBook(wt, orders, policy);
          const seq = diffSequence(book, now, after);
          const { value: sliced, turns } = await turnsDuring(() => bookWithoutLateInSlices(seq, after, 2));
          if (seq.late.length === 0) {
            expect(sliced).toBeUndefined();
            return;
          }
          sawLate++;
          const kept = seq.orders.length - seq.late.filter((l) => !l.order.pinned).length;
          expect(sliced!.size).toBe(kept);
          expect(turns).toBeGreaterThanOrEqual(Math.ceil(kept / 2) - 1);
          const one = capacityChangeFromDiff(now, policy, after, diffSequence(book, now, after));
          const r = capacityChangeFromDiff(now, policy, after, seq, sliced);
          expect(r.diff.late).toEqual(one.diff.late);
          expect(r.diff.stillLate).toEqual(one.diff.stillLate);
          expect(r.feasible).toBe(one.feasible);
        },
      ),
      { numRuns: 200 },
    );
    expect(sawLate).toBeGreaterThan(10);
  });
});
