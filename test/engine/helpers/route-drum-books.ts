import { RouteDrum, type RouteDrumOrder } from '../../../src/engine/route-drum/route-drum.ts';
import type { BOrder, Inst } from '../route-drum-brute.ts';

// The brute force's generated sequences as the engine's keyed drum holds them: keys spaced by
// three (room to insert between), the effective deadline and the pin only where they differ
// from the defaults, as the service stores them.
export const toOrders = (seq: readonly BOrder[]): RouteDrumOrder[] =>
  seq.map((o, i) => {
    const r: RouteDrumOrder = { id: o.id, load: o.load, deadline: o.deadline, ready: o.ready, key: i * 3 };
    if (o.eff !== o.deadline) r.effectiveDeadline = o.eff;
    if (o.pinned) r.pinned = true;
    return r;
  });

/** The generated instance's drum on its own calendar. */
export const bookOf = (inst: Inst) => new RouteDrum(inst.wt, toOrders(inst.seq));

/** The instance's drum with one unpinned order (the pick-th, wrapping) ready `delay` minutes later: some orders may turn late. */
export function bookWithOneDelayed(inst: Inst, pick: number, delay: number): RouteDrum {
  const book = bookOf(inst);
  const unpinned = book.orders().filter((o) => !o.pinned);
  if (unpinned.length > 0) {
    const o = unpinned[pick % unpinned.length]!;
    book.setReady(o.id, o.ready + delay, inst.now);
  }
  return book;
}
