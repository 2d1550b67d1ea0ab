import { describe, expect, it } from 'vitest';
import { diffInSlices, mapInSlices, scheduleInSlices, SLICE_SIZE } from '../../src/domain/event-loop-slices.ts';
import { diffSequence } from '../../src/engine/capacity-diff.ts';
import { buildWorkingTime } from '../../src/engine/calendar.ts';
import { DrumBook } from '../../src/engine/drum-book.ts';
import { feasibleWorkload } from '../../bench/engine/workload.ts';

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
