import { CowMap } from '../cow-map.ts';
import type { Minute, WorkingTime } from '../working-time.ts';
import {
  planOneOf,
  planPageOf,
  plannedAfter,
  type DrumPlanCursor,
  type DrumPlanPage,
  type DrumPlanSource,
  type PlannedDrumOrder,
} from './drum-plan.ts';
import { RouteDrumTree, type SlotRecord } from './tree.ts';

export type { DrumPlanCursor, DrumPlanPage, PlannedDrumOrder } from './drum-plan.ts';

/**
 * The drum with ready times and keyed insertion (docs/design/whole-route.md §3.3, §5.2,
 * §5.3, §8.3; "Option K"). The drum works a stored sequence — pinned orders first, then
 * the unpinned orders by their sequence key κ — semi-actively: never before an order's
 * ready time ρ, F_k = max(F_{k−1}, c(ρ_k)) + p_k. A new order may go at any position that
 * keeps every order's (effective) deadline; the earliest admissible drum deadline is
 * monotone in D. Pure and deterministic: no clock (`now` is an argument), all time in
 * integer UTC minutes, capacity through the drum's `WorkingTime` (c = cumulative).
 */
export interface RouteDrumOrder {
  id: string;
  /** Remaining drum minutes: an integer ≥ 0. */
  load: number;
  /** Drum deadline D_j stored at commit. */
  deadline: Minute;
  /** Effective drum deadline D̂_j ≥ D_j (§8.3); D_j when absent. */
  effectiveDeadline?: Minute;
  /** Ready time ρ_j: the drum cannot start the order before it. */
  ready: Minute;
  /** Sequence key κ_j: a unique integer; unpinned orders are worked in key order. */
  key: number;
  /** Pinned (in progress or frozen): worked first, in the order given (orders() returns them so). Only ready orders should be pinned. */
  pinned?: boolean;
}

/** A new order for commit/insertAt: no key yet (the book chooses it), never pinned. */
export interface NewRouteDrumOrder {
  id: string;
  load: number;
  deadline: Minute;
  effectiveDeadline?: Minute;
  ready: Minute;
}

/** The earliest admissible drum deadline of a new order and where it goes. */
export interface DrumQuote {
  /** D*_drum: the least admissible drum deadline, exact to the minute (≥ now, ≥ ready). */
  deadline: Minute;
  /** q0: the number of unpinned orders before the new order. */
  position: number;
  /** G_{q0}: the drum cumulative at which the new order finishes there. */
  finishCumulative: number;
}

/** The commit position of §5.3 for a chosen drum deadline. */
export interface DrumPosition {
  /** q_c: the last valid position with G_q ≤ c(D). */
  position: number;
  /** G_{q_c}. */
  finishCumulative: number;
  /** LS_x = min(c(D), LS_{q_c+1}) − p: the latest drum cumulative at which the new order may start (the rope's target, §5.3 step 3). */
  latestStartCumulative: number;
}

export interface DrumCommit extends DrumPosition {
  /** The key given to the order. */
  key: number;
  /** Ids of other orders whose key changed to make room (persist their new keys: see get()/orders()); usually empty. */
  rekeyed: string[];
}

/** An order moved by repositionLate. */
export interface RepositionedOrder {
  id: string;
  /** Its new effective deadline: D_j when D_j is admissible again, else its projected drum finish. */
  effectiveDeadline: Minute;
  /** Its new position among the unpinned orders, at the time it was re-inserted. */
  position: number;
  /** effectiveDeadline > deadline: at risk on the drum. */
  late: boolean;
  /** Its sequence key (a new one when it was re-positioned). */
  key: number;
  /** Other orders whose keys were respaced to make room (persist them); usually empty. */
  rekeyed: string[];
  /** A pinned order (recoverEffectiveDeadlines only): position is then its index among the pinned orders. */
  pinned?: true;
}

/** Initial spacing of sequence keys. */
export const KEY_GAP = 2 ** 20;
/** A respace makes keys at least this far apart (room for 10 halvings). */
const KEY_MIN_SPACING = 2 ** 10;
const PRIO_SCALE = 2 ** 32;

type UndoEntry =
  | { op: 'insert'; id: string }
  | { op: 'remove'; rec: SlotRecord }
  | { op: 'pinPush' }
  | { op: 'pinRemove'; index: number; order: PinnedEntry }
  | { op: 'pinInsert'; index: number }
  | { op: 'keys'; ids: string[]; keys: number[] };

interface PinnedEntry {
  order: RouteDrumOrder;
  cReady: number;
  cEffectiveDeadline: number;
}

interface Search {
  position: number;
  prefix: number;
  /** M_q = max(base, max_{j ≤ q} need_j). */
  m: number;
  /** min_{k > q} K'_k. */
  minKAfter: number;
  finishCumulative: number;
}

export class RouteDrum {
  readonly workingTime: WorkingTime;
  private tree: RouteDrumTree;
  private slots = new CowMap<string, number>();
  /** Ids of unpinned orders with D̂ > D (at risk on the drum), for recoverEffectiveDeadlines (pinned ones: recoveredPinned). */
  private raised = new Set<string>();
  private pinned: PinnedEntry[] = [];
  private rng = 0x2545f491;
  private log: UndoEntry[] = [];
  private marks: { length: number; rng: number }[] = [];

  constructor(workingTime: WorkingTime, orders: Iterable<RouteDrumOrder> = []) {
    this.workingTime = workingTime;
    const unpinned: RouteDrumOrder[] = [];
    const pinned: RouteDrumOrder[] = [];
    for (const o of orders) {
      validate(o);
      if (o.key === undefined || !Number.isSafeInteger(o.key)) throw new RangeError(`order ${o.id}: key must be a safe integer`);
      (o.pinned ? pinned : unpinned).push(o);
    }
    unpinned.sort((a, b) => a.key - b.key);
    this.tree = new RouteDrumTree(unpinned.length + 16);
    const slots: number[] = [];
    for (let i = 0; i < unpinned.length; i++) {
      const o = unpinned[i]!;
      if (i > 0 && unpinned[i - 1]!.key === o.key) throw new RangeError(`duplicate key ${o.key}`);
      if (this.slots.has(o.id)) throw new RangeError(`duplicate order id ${o.id}`);
      const slot = this.tree.alloc(this.recordOf(o, o.key, 0));
      this.slots.set(o.id, slot);
      if ((o.effectiveDeadline ?? o.deadline) > o.deadline) this.raised.add(o.id);
      slots.push(slot);
    }
    for (const o of pinned) {
      if (this.has(o.id)) throw new RangeError(`duplicate order id ${o.id}`);
      this.pinned.push(this.pinnedEntry(o));
    }
    this.tree.build(slots, () => (this.nextRandom() + 0.5) / PRIO_SCALE, PRIO_SCALE);
  }

  /**
   * A copy on `wt`, this drum intact (a capacity change keeps the old book for comparison
   * and rollback): the same orders, keys and tree shape, without an undo log. The stored
   * cumulative values are recomputed unless `sameMinutes` says wt works the same minutes
   * as this drum's calendar. O(n) array copies, plus O(n) conversions on a new calendar;
   * the id index is shared (CowMap).
   */
  copyOn(wt: WorkingTime, sameMinutes: boolean): RouteDrum {
    const copy = new RouteDrum(wt);
    copy.tree.copyFrom(this.tree);
    copy.slots = this.slots.share();
    copy.raised = new Set(this.raised);
    copy.rng = this.rng;
    if (sameMinutes) copy.pinned = this.pinned.slice();
    else {
      copy.pinned = this.pinned.map((p) => copy.pinnedEntry(p.order));
      copy.tree.recumulate(
        (ready) => wt.cumulative(ready),
        (d) => cumulativeDeadline(wt, d),
      );
    }
    return copy;
  }

  /** Tree nodes visited so far by searches and updates (for complexity guards). */
  get visits(): number {
    return this.tree.visits;
  }

  get size(): number {
    return this.slots.size + this.pinned.length;
  }

  /** Number of unpinned orders (positions run from 0 to this). */
  get unpinnedCount(): number {
    return this.slots.size;
  }

  has(id: string): boolean {
    return this.slots.has(id) || this.pinned.some((p) => p.order.id === id);
  }

  get(id: string): RouteDrumOrder | undefined {
    const slot = this.slots.get(id);
    if (slot !== undefined) return orderOf(this.tree.record(slot));
    return this.pinned.find((p) => p.order.id === id)?.order;
  }

  /** All orders in drum sequence: pinned first, then by key, with their current keys. O(n). */
  orders(): RouteDrumOrder[] {
    const out = this.pinned.map((p) => p.order);
    this.tree.forEachInOrder((slot) => void out.push(orderOf(this.tree.record(slot))));
    return out;
  }

  /** base = the forward finish of the pinned prefix from now, in drum cumulative. O(pinned). */
  base(now: Minute): number {
    let c = this.workingTime.cumulative(now);
    for (const p of this.pinned) c = Math.max(c, p.cReady) + p.order.load;
    return c;
  }

  /** True iff every order finishes by its effective deadline in the semi-active plan. O(1) + pinned. */
  feasible(now: Minute): boolean {
    return this.minSlack(now) >= 0;
  }

  /** The smallest slack c(D̂_k) − F_k over all orders (Infinity when empty). O(1) + pinned. */
  minSlack(now: Minute): number {
    let c = this.workingTime.cumulative(now);
    let min = Infinity;
    for (const p of this.pinned) {
      c = Math.max(c, p.cReady) + p.order.load;
      min = Math.min(min, p.cEffectiveDeadline - c);
    }
    return Math.min(min, this.tree.minSlack(c));
  }

  /**
   * The earliest admissible drum deadline of a new order of `load` drum minutes ready at
   * `ready` (§5.2): the least D ≥ max(now, ready) such that the order can be inserted at
   * some position where it finishes by D while every order after it still finishes by
   * its effective deadline (and no order late or at risk, D̂ > D, is delayed at all: its
   * D̂ may leave room it no longer needs). null when no such D
   * is ≤ horizon. O(log n)-ish tree work (RouteDrumTree.firstValid) + pinned + a few calendar look-ups.
   */
  quote(now: Minute, load: number, ready: Minute, horizon: Minute): DrumQuote | null {
    assertInt('load', load, 0);
    assertInt('ready', ready);
    const wt = this.workingTime;
    const lower = Math.max(now, ready);
    if (lower > horizon) return null;
    const s = this.searchFirst(this.base(now), wt.cumulative(ready), load);
    if (s.finishCumulative > wt.cumulative(horizon)) return null;
    return {
      deadline: Math.max(lower, wt.instantAtCumulative(s.finishCumulative)),
      position: s.position,
      finishCumulative: s.finishCumulative,
    };
  }

  /** True iff a new order (load, ready) with drum deadline `deadline` can be committed: deadline ≥ quote's. Monotone in deadline. */
  admits(now: Minute, load: number, ready: Minute, deadline: Minute): boolean {
    return this.commitPosition(now, load, ready, deadline) !== null;
  }

  /**
   * Where a new order committed with drum deadline `deadline` goes (§5.3 step 2): the last
   * valid position with G_q ≤ c(deadline), so that an order promised late is sequenced
   * late; null when the deadline is not admissible.
   */
  commitPosition(now: Minute, load: number, ready: Minute, deadline: Minute): DrumPosition | null {
    assertInt('load', load, 0);
    assertInt('ready', ready);
    assertInt('deadline', deadline);
    if (deadline < now || deadline < ready) return null;
    const wt = this.workingTime;
    const base = this.base(now);
    const cReady = wt.cumulative(ready);
    const cD = wt.cumulative(deadline);
    const first = this.searchFirst(base, cReady, load);
    if (first.finishCumulative > cD) return null;
    // q_max: the last q with F_q ≤ c(D) − p (F non-decreasing); ≥ q0, and q0 is valid.
    const qMax = Math.max(first.position, this.tree.lastAtMost(cD - load, base, true));
    let found = qMax === first.position ? first : this.searchAt(qMax, base, cReady, load);
    if (!valid(found, load)) {
      const q = Math.max(first.position, this.tree.lastValid(qMax - 1, load, base));
      found = q === first.position ? first : this.searchAt(q, base, cReady, load);
    }
    const ls = found.prefix + found.minKAfter;
    return {
      position: found.position,
      finishCumulative: found.finishCumulative,
      latestStartCumulative: Math.min(cD, ls) - load,
    };
  }

  /**
   * Commits a new order at its commit position (§5.3 steps 2 and 4) with D̂ = D; null
   * (and nothing changes) when its deadline is not admissible.
   */
  commit(now: Minute, order: NewRouteDrumOrder): DrumCommit | null {
    validate({ ...order, key: 0 });
    if (this.has(order.id)) throw new RangeError(`order ${order.id} is already on the drum`);
    const pos = this.commitPosition(now, order.load, order.ready, order.deadline);
    if (!pos) return null;
    const { key, rekeyed } = this.insertAt({ ...order, effectiveDeadline: order.deadline }, pos.position);
    return { ...pos, key, rekeyed };
  }

  /**
   * Inserts an unpinned order at a position (the number of unpinned orders before it)
   * without checking anything: the caller has checked it (or it is a fact). Returns its
   * key, and the ids of the orders whose keys were respaced to make room (when its
   * neighbours' keys are adjacent: the smallest window around the position, doubling, whose
   * key range leaves a spacing ≥ KEY_MIN_SPACING is respaced evenly). O(log n); a respace
   * of w orders costs O(w log n).
   */
  insertAt(order: NewRouteDrumOrder, position: number): { key: number; rekeyed: string[] } {
    validate({ ...order, key: 0 });
    if (this.has(order.id)) throw new RangeError(`order ${order.id} is already on the drum`);
    return this.insertRecordAt(this.recordOf(order, 0, 0), position);
  }

  /**
   * Inserts an order exactly as stored (a cold build's single row, a catch-up): an unpinned
   * order with its own key (RangeError on a duplicate id or key), a pinned order at
   * `pinnedIndex` among the pinned orders (default: last). Checks nothing else. O(log n)
   * unpinned, O(pinned) pinned; recorded for rollback.
   */
  insertStored(order: RouteDrumOrder, pinnedIndex?: number): void {
    validate(order);
    if (this.has(order.id)) throw new RangeError(`order ${order.id} is already on the drum`);
    if (order.pinned) {
      const index = pinnedIndex ?? this.pinned.length;
      if (!Number.isInteger(index) || index < 0 || index > this.pinned.length)
        throw new RangeError(`pinned index ${index} is not in 0..${this.pinned.length}`);
      this.insertPinnedAt(index, this.pinnedEntry(order));
      return;
    }
    if (!Number.isSafeInteger(order.key)) throw new RangeError(`order ${order.id}: key must be a safe integer`);
    if (this.tree.indexOf(order.key).index >= 0) throw new RangeError(`duplicate key ${order.key}`);
    this.linkRecord(this.recordOf(order, order.key, this.nextRandom()));
  }

  /** Removes an order (pinned or not). Removal never delays another order (G4). */
  remove(id: string): boolean {
    const slot = this.slots.get(id);
    if (slot !== undefined) {
      this.unlink(id);
      return true;
    }
    const index = this.pinned.findIndex((p) => p.order.id === id);
    if (index < 0) return false;
    this.removePinnedAt(index);
    return true;
  }

  /** Pins an unpinned order: it leaves the keyed sequence and is worked after the pinned orders. Only ready orders may be pinned (§3.3). */
  pin(id: string, now: Minute): void {
    const slot = this.slots.get(id);
    if (slot === undefined) throw new RangeError(`order ${id} is not an unpinned order on the drum`);
    const rec = this.tree.record(slot);
    if (rec.ready > now)
      throw new RangeError(`order ${id} is not ready (ready ${rec.ready} > now ${now}): only ready orders may be pinned`);
    this.unlink(id);
    this.pushPinned({ order: { ...orderOf(rec), pinned: true }, cReady: rec.cReady, cEffectiveDeadline: rec.cEffectiveDeadline });
  }

  /** Unpins an order (a fact raised its ready time, §8.3): it goes to the front of the keyed sequence. */
  unpin(id: string): void {
    const index = this.pinned.findIndex((p) => p.order.id === id);
    if (index < 0) throw new RangeError(`order ${id} is not pinned`);
    const { order } = this.pinned[index]!;
    this.removePinnedAt(index);
    const { pinned: _p, key: _k, ...rest } = order;
    this.insertAt(rest, 0);
  }

  /**
   * A fact changed an order's ready time (late release, upstream delay): it keeps its key
   * and position. A pinned order whose ready time passes now is unpinned (a frozen order no
   * longer ready), unless `keepPinned` (its drum work has begun: it stays on the drum, waiting
   * for the work before it). The caller then runs repositionLate.
   */
  setReady(id: string, ready: Minute, now: Minute, keepPinned = false): void {
    assertInt('ready', ready);
    const slot = this.slots.get(id);
    if (slot !== undefined) {
      const rec = this.tree.record(slot);
      this.unlink(id);
      this.linkRecord({ ...rec, ready, cReady: this.workingTime.cumulative(ready) });
      return;
    }
    const index = this.pinned.findIndex((p) => p.order.id === id);
    if (index < 0) throw new RangeError(`order ${id} is not on the drum`);
    const entry = this.pinned[index]!;
    this.removePinnedAt(index);
    const order = { ...entry.order, ready };
    if (ready <= now || keepPinned) this.insertPinnedAt(index, { ...entry, order, cReady: this.workingTime.cumulative(ready) });
    else {
      const { pinned: _p, key: _k, ...rest } = order;
      this.insertAt(rest, 0);
    }
  }

  /**
   * §8.3: the unpinned orders late in the semi-active plan are taken off (the rest stays
   * feasible: removal relaxes) and re-inserted one by one in their old sequence order with
   * their own ready times: at their commit position by D_j with D̂_j = D_j when D_j is
   * admissible, else at the first valid position q0 with D̂_j := their projected drum
   * finish there, delaying no other order. A projected finish after `horizon` gives
   * D̂_j = Infinity (at risk with no date within the horizon; it then constrains nothing).
   * Afterwards the book is feasible unless a pinned order is late. `slack` (wall minutes)
   * is added to a projected finish, so an order whose finish keeps sliding as time passes
   * (nothing reported done) is not re-positioned again every minute. Returns the moved
   * orders. O(k log n)-ish.
   */
  repositionLate(now: Minute, horizon: Minute = Infinity, slack: number = 0): RepositionedOrder[] {
    const cHorizon = horizon === Infinity ? Infinity : this.workingTime.cumulative(horizon);
    const wt = this.workingTime;
    const late = this.tree.late(this.base(now)).map((slot) => this.tree.record(slot));
    for (const rec of late) this.unlink(rec.id);
    const out: RepositionedOrder[] = [];
    for (const rec of late) {
      const order = orderOf(rec);
      const pos = this.commitPosition(now, rec.load, rec.ready, rec.deadline);
      if (pos) {
        const { key, rekeyed } = this.insertAt({ ...order, effectiveDeadline: rec.deadline }, pos.position);
        out.push({ id: rec.id, effectiveDeadline: rec.deadline, position: pos.position, late: false, key, rekeyed });
        continue;
      }
      const s = this.searchFirst(this.base(now), rec.cReady, rec.load);
      const finish = s.finishCumulative > cHorizon ? Infinity : Math.max(now, rec.ready, wt.instantAtCumulative(s.finishCumulative));
      const effectiveDeadline = Math.max(rec.deadline, finish + slack);
      // Beyond a calendar whose capacity ends the finish is Infinity: then the order constrains nothing.
      const { key, rekeyed } = this.insertAt({ ...order, effectiveDeadline }, s.position);
      out.push({ id: rec.id, effectiveDeadline, position: s.position, late: effectiveDeadline > rec.deadline, key, rekeyed });
    }
    return out;
  }

  /** True when some unpinned order is late in the semi-active plan from now (what repositionLate would move). O(log n) when none. */
  hasLateUnpinned(now: Minute): boolean {
    return this.tree.late(this.base(now)).length > 0;
  }

  /**
   * §8.3, the tick: an order at risk (D_j < D̂_j < ∞) whose projected drum finish F_j has
   * come earlier (a cancellation ahead of it, capacity added, progress, the floor putting it
   * on the drum: pinned orders count too) gets D̂_j := D_j when F_j ≤ D_j (on time again),
   * else F_j + `slack` when that is below D̂_j (the room repositionLate gives it; a finish
   * after `horizon` changes nothing; an order with D̂_j = Infinity gets a date once its
   * finish is within reach). It keeps its key and its place (a pinned order its place among
   * the pinned ones); lowering D̂_j keeps F_j ≤ c(D̂_j) and moves nobody. Returns the orders
   * whose effective deadline changed, by id. O(k log n) for k unpinned orders at risk, plus
   * one pass over the (few) pinned orders.
   */
  recoverEffectiveDeadlines(now: Minute, horizon: Minute = Infinity, slack: number = 0): RepositionedOrder[] {
    const wt = this.workingTime;
    const out: RepositionedOrder[] = [];
    // Pinned orders first, from one forward pass before anything changes (lowering D̂ moves nobody).
    for (const r of this.recoveredPinned(now, slack)) {
      if (r.finish > horizon) continue;
      const entry = this.pinned[r.index]!;
      const order: RouteDrumOrder = { ...entry.order, effectiveDeadline: r.effectiveDeadline };
      if (r.effectiveDeadline === order.deadline) delete order.effectiveDeadline;
      this.removePinnedAt(r.index);
      this.insertPinnedAt(r.index, { ...entry, order, cEffectiveDeadline: cumulativeDeadline(wt, r.effectiveDeadline) });
      out.push({
        id: order.id,
        effectiveDeadline: r.effectiveDeadline,
        position: r.index,
        late: r.effectiveDeadline > order.deadline,
        key: order.key,
        rekeyed: [],
        pinned: true,
      });
    }
    for (const id of [...this.raised].sort()) {
      const rec = this.tree.record(this.slots.get(id)!);
      const { effectiveDeadline, finish, index } = this.recoveredDeadline(now, rec, slack);
      if (finish > horizon) continue;
      if (effectiveDeadline >= rec.effectiveDeadline) continue;
      this.unlink(id);
      this.linkRecord({ ...rec, effectiveDeadline, cEffectiveDeadline: cumulativeDeadline(wt, effectiveDeadline) });
      out.push({ id, effectiveDeadline, position: index, late: effectiveDeadline > rec.deadline, key: rec.key, rekeyed: [] });
    }
    return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /**
   * §8.3 for the pinned orders, which are never re-positioned: one whose drum finish has passed
   * its D̂ (the work before the drum of an order on the drum now ends later, progress behind)
   * gets D̂ := its finish + `slack` in place, as repositionLate gives an unpinned order, so the
   * plan says where it ends instead of "late". Moves nobody. One forward pass over the (few)
   * pinned orders. Returns the orders raised, by id.
   */
  raiseLatePinned(now: Minute, slack: number = 0): RepositionedOrder[] {
    const wt = this.workingTime;
    const c0 = wt.cumulative(now);
    let c = c0;
    const raise: { index: number; effectiveDeadline: Minute }[] = [];
    this.pinned.forEach((p, index) => {
      c = Math.max(c, p.cReady) + p.order.load;
      if (c <= p.cEffectiveDeadline) return;
      // As plannedAfter (drum-plan.ts): never before now or the ready time.
      const finish = Math.max(now, p.order.ready, c <= c0 ? now : wt.instantAtCumulative(c));
      raise.push({ index, effectiveDeadline: finish + slack });
    });
    return raise.map(({ index, effectiveDeadline }) => {
      const entry = this.pinned[index]!;
      const order: RouteDrumOrder = { ...entry.order, effectiveDeadline };
      this.removePinnedAt(index);
      this.insertPinnedAt(index, { ...entry, order, cEffectiveDeadline: cumulativeDeadline(wt, effectiveDeadline) });
      return { id: order.id, effectiveDeadline, position: index, late: true, key: order.key, rekeyed: [], pinned: true as const };
    });
  }

  /** True when recoverEffectiveDeadlines(now, Infinity, slack) would lower some D̂. O(k log n) for k orders at risk, + pinned. */
  hasRecovered(now: Minute, slack: number = 0): boolean {
    for (const id of this.raised) {
      const rec = this.tree.record(this.slots.get(id)!);
      if (this.recoveredDeadline(now, rec, slack).effectiveDeadline < rec.effectiveDeadline) return true;
    }
    return this.recoveredPinned(now, slack).length > 0;
  }

  /**
   * The pinned orders at risk (D̂ > D) whose D̂ recovery would lower (as recoveredDeadline,
   * from their forward finish in the pinned prefix), by index, in pinned order. One forward
   * pass over the pinned orders, and a calendar look-up per pinned order at risk; nothing
   * when none is at risk.
   */
  private recoveredPinned(now: Minute, slack: number): { index: number; effectiveDeadline: Minute; finish: Minute }[] {
    const out: { index: number; effectiveDeadline: Minute; finish: Minute }[] = [];
    if (!this.pinned.some((p) => (p.order.effectiveDeadline ?? p.order.deadline) > p.order.deadline)) return out;
    const wt = this.workingTime;
    const c0 = wt.cumulative(now);
    let c = c0;
    this.pinned.forEach((p, index) => {
      const o = p.order;
      c = Math.max(c, p.cReady) + o.load;
      const current = o.effectiveDeadline ?? o.deadline;
      if (current <= o.deadline) return;
      // As plannedAfter (drum-plan.ts): never before now or the ready time.
      const finish = Math.max(now, o.ready, c <= c0 ? now : wt.instantAtCumulative(c));
      const effectiveDeadline = finish <= o.deadline ? o.deadline : finish + slack;
      if (effectiveDeadline < current) out.push({ index, effectiveDeadline, finish });
    });
    return out;
  }

  /** D̂ as recovery would set it: D when the order finishes by D, else its finish + slack; and its position. */
  private recoveredDeadline(now: Minute, rec: SlotRecord, slack: number): { effectiveDeadline: Minute; finish: Minute; index: number } {
    const { finish, index } = this.finishOf(now, rec);
    return { effectiveDeadline: finish <= rec.deadline ? rec.deadline : finish + slack, finish, index };
  }

  /** The projected drum finish instant of an unpinned order, and its position. O(log n) + pinned. */
  private finishOf(now: Minute, rec: SlotRecord): { finish: Minute; index: number } {
    const wt = this.workingTime;
    const at = this.tree.indexOf(rec.key);
    const F = Math.max(this.base(now), at.maxNeed, rec.cReady - at.prefix) + at.prefix + rec.load;
    const finish = Math.max(now, rec.ready, F <= wt.cumulative(now) ? now : wt.instantAtCumulative(F));
    return { finish, index: at.index };
  }

  /**
   * q_R of the price of a date (§5.4): the number of unpinned orders up to and including
   * the last one whose price deadline P_k is before `deadline`, so every order after that
   * position has P_k ≥ deadline. P_k is D̂_k, except for an order at risk (D < D̂ < ∞):
   * D_k, since a new order may delay it only up to max(D_k, its current finish), and only
   * the room up to D_k grows with capacity added before it. O(log n).
   */
  pricePosition(deadline: Minute): number {
    return this.tree.lastPriceDeadlineBelow(deadline);
  }

  /**
   * The state of position q for a new order (load, ready), for the price of a date (§5.4):
   * G_q (its finish cumulative there) and LS_{q+1} = prefix_q + min_{k>q} (c(P_k) − prefix_k)
   * (Infinity after the last order; P_k as in pricePosition: every order after q_R gains
   * the capacity added before D_R), and whether its own ready time defines G_q.
   * O(log n) + pinned.
   */
  positionState(
    now: Minute,
    load: number,
    ready: Minute,
    q: number,
  ): { finishCumulative: number; latestStartAfter: number; readyBinds: boolean; base: number } {
    const base = this.base(now);
    const ps = this.tree.prefixState(q);
    const m = Math.max(base, ps.maxNeed);
    const cReady = this.workingTime.cumulative(ready);
    return {
      finishCumulative: Math.max(m + ps.prefix, cReady) + load,
      latestStartAfter: ps.prefix + this.tree.minKPriceAfter(q),
      readyBinds: cReady >= m + ps.prefix,
      base,
    };
  }

  /**
   * The semi-active forward plan from now: F_k = max(F_{k−1}, c(ρ_k)) + p_k over the
   * pinned orders then the keyed sequence, with each order's drum interval. O(n) plus two
   * calendar look-ups per order. With `until`, the plan stops after the first order that
   * starts at or after it (starts never decrease along the sequence): O(log n + orders
   * before it), for the frozen window.
   */
  plan(now: Minute, until: Minute = Infinity): PlannedDrumOrder[] {
    const wt = this.workingTime;
    const c0 = wt.cumulative(now);
    let F = c0;
    const out: PlannedDrumOrder[] = [];
    for (const p of this.pinned) {
      const planned = plannedAfter(wt, now, c0, F, p.order, p.cReady, p.cEffectiveDeadline, true);
      F = planned.finishCumulative;
      out.push(planned);
    }
    this.tree.forEachInOrder((slot) => {
      // until = Infinity is no limit: an order starting at Infinity (beyond a calendar whose capacity ends) must not cut the plan.
      if (until !== Infinity && out.length > 0 && out[out.length - 1]!.start >= until) return false;
      const rec = this.tree.record(slot);
      const planned = plannedAfter(wt, now, c0, F, rec, rec.cReady, rec.cEffectiveDeadline, false);
      F = planned.finishCumulative;
      out.push(planned);
      return true;
    });
    return out;
  }

  /**
   * Up to `limit` entries of plan(now) after the cursor (from the start when undefined),
   * equal to them, and the cursor of the next page: O(log n + limit) + pinned, from the
   * tree's prefix aggregates instead of a forward pass from the first order.
   */
  planFrom(now: Minute, after: DrumPlanCursor | undefined, limit: number): DrumPlanPage {
    return planPageOf(this.planSource(), now, after, limit);
  }

  /** One order's entry of plan(now) (undefined when not on the drum): O(log n) + pinned. */
  planOne(now: Minute, id: string): PlannedDrumOrder | undefined {
    return planOneOf(this.planSource(), now, id);
  }

  private planSource(): DrumPlanSource {
    return { workingTime: this.workingTime, pinned: this.pinned, tree: this.tree, slotOf: (id) => this.slots.get(id) };
  }

  /** Starts recording changes; returns a token for rollback or keep. Checkpoints nest. */
  checkpoint(): number {
    this.marks.push({ length: this.log.length, rng: this.rng });
    return this.marks.length;
  }

  /** Undoes every change since the checkpoint (and closes it and any checkpoint opened after it). */
  rollback(token: number): void {
    const mark = this.closeTo(token);
    const saved = this.marks;
    this.marks = []; // undo without logging
    while (this.log.length > mark.length) this.undo(this.log.pop()!);
    this.marks = saved;
    this.rng = mark.rng;
    if (this.marks.length === 0) this.log = [];
  }

  /** Keeps the changes since the checkpoint and closes it (and any opened after it). */
  keep(token: number): void {
    this.closeTo(token);
    if (this.marks.length === 0) this.log = [];
  }

  private closeTo(token: number): { length: number; rng: number } {
    if (!Number.isInteger(token) || token < 1 || token > this.marks.length) throw new RangeError(`no open checkpoint ${token}`);
    const mark = this.marks[token - 1]!;
    this.marks.length = token - 1;
    return mark;
  }

  private record(e: UndoEntry): void {
    if (this.marks.length > 0) this.log.push(e);
  }

  private undo(e: UndoEntry): void {
    switch (e.op) {
      case 'insert':
        this.unlink(e.id);
        break;
      case 'remove':
        this.linkRecord(e.rec);
        break;
      case 'pinPush':
        this.pinned.pop();
        break;
      case 'pinRemove':
        this.pinned.splice(e.index, 0, e.order);
        break;
      case 'pinInsert':
        this.pinned.splice(e.index, 1);
        break;
      case 'keys':
        e.ids.forEach((id, i) => this.tree.setKey(this.slots.get(id)!, e.keys[i]!));
        break;
    }
  }

  // --- primitives (each records its inverse) ---

  private linkRecord(rec: SlotRecord): number {
    const slot = this.tree.alloc(rec);
    this.tree.insert(slot);
    this.slots.set(rec.id, slot);
    if (rec.effectiveDeadline > rec.deadline) this.raised.add(rec.id);
    this.record({ op: 'insert', id: rec.id });
    return slot;
  }

  private unlink(id: string): SlotRecord {
    const slot = this.slots.get(id)!;
    const rec = this.tree.record(slot);
    this.tree.remove(slot);
    this.slots.delete(id);
    this.raised.delete(id);
    this.record({ op: 'remove', rec });
    return rec;
  }

  private pushPinned(entry: PinnedEntry): void {
    this.pinned.push(entry);
    this.record({ op: 'pinPush' });
  }

  private insertPinnedAt(index: number, entry: PinnedEntry): void {
    this.pinned.splice(index, 0, entry);
    this.record({ op: 'pinInsert', index });
  }

  private removePinnedAt(index: number): void {
    const [entry] = this.pinned.splice(index, 1);
    this.record({ op: 'pinRemove', index, order: entry! });
  }

  /**
   * Respaces the keys of a window of orders around position q so that a key is free
   * between positions q − 1 and q, and returns that key. The window doubles until its key
   * range (bounded by its outer neighbours; unbounded at either end of the sequence)
   * gives a spacing of at least KEY_MIN_SPACING, so a burst of inserts at one place
   * respaces ever larger windows rarely (amortised O(log² n) key changes per insert).
   */
  private respace(q: number, rekeyed: string[]): number {
    const tree = this.tree;
    const n = tree.size;
    for (let w = 1; ; w *= 2) {
      const lo = Math.max(0, q - w);
      const hi = Math.min(n, q + w);
      const count = hi - lo + 1; // the window's orders and the new one
      const lower = lo > 0 ? tree.key(tree.slotAt(lo - 1)) : -Infinity;
      const upper = hi < n ? tree.key(tree.slotAt(hi)) : Infinity;
      let first: number;
      let step: number;
      if (lower === -Infinity && upper === Infinity) {
        first = 0;
        step = KEY_GAP;
      } else if (lower === -Infinity) {
        step = KEY_GAP;
        first = upper - count * step;
      } else if (upper === Infinity) {
        step = KEY_GAP;
        first = lower + step;
      } else {
        step = Math.floor((upper - lower) / (count + 1));
        if (step < KEY_MIN_SPACING) continue;
        first = lower + step;
      }
      const slots: number[] = [];
      for (let i = lo; i < hi; i++) slots.push(tree.slotAt(i));
      const ids: string[] = [];
      const old: number[] = [];
      let k = 0;
      // window orders before q, the new order's key at q, window orders from q on
      for (let j = 0; j < slots.length; j++) {
        if (lo + j === q) k++; // the new order's key
        const key = first + k++ * step;
        const slot = slots[j]!;
        const oldKey = tree.key(slot);
        if (oldKey !== key) {
          ids.push(tree.record(slot).id);
          old.push(oldKey);
          tree.setKey(slot, key);
        }
      }
      this.record({ op: 'keys', ids, keys: old });
      rekeyed.push(...ids);
      return first + (q - lo) * step;
    }
  }

  /** insertAt with the record's fields as given (key and priority chosen here). */
  private insertRecordAt(rec: SlotRecord, position: number): { key: number; rekeyed: string[] } {
    const n = this.tree.size;
    if (!Number.isInteger(position) || position < 0 || position > n) throw new RangeError(`position ${position} is not in 0..${n}`);
    const rekeyed: string[] = [];
    const key = this.keyBetween(position) ?? this.respace(position, rekeyed);
    this.linkRecord({ ...rec, key, prio: this.nextRandom() });
    return { key, rekeyed };
  }

  /** A free key strictly between the neighbours of position q, or undefined when they are adjacent. */
  private keyBetween(q: number): number | undefined {
    const tree = this.tree;
    const n = tree.size;
    if (n === 0) return 0;
    const next = q < n ? tree.key(tree.slotAt(q)) : undefined;
    const prev = q > 0 ? tree.key(tree.slotAt(q - 1)) : undefined;
    if (prev === undefined) return next! - KEY_GAP;
    if (next === undefined) return prev + KEY_GAP;
    if (next - prev < 2) return undefined;
    return prev + Math.floor((next - prev) / 2);
  }

  private recordOf(o: NewRouteDrumOrder, key: number, prio: number): SlotRecord {
    const wt = this.workingTime;
    const effectiveDeadline = o.effectiveDeadline ?? o.deadline;
    return {
      id: o.id,
      key,
      load: o.load,
      ready: o.ready,
      cReady: wt.cumulative(o.ready),
      deadline: o.deadline,
      cDeadline: wt.cumulative(o.deadline),
      effectiveDeadline,
      cEffectiveDeadline: cumulativeDeadline(wt, effectiveDeadline),
      prio,
    };
  }

  private pinnedEntry(o: RouteDrumOrder): PinnedEntry {
    const wt = this.workingTime;
    return {
      order: { ...o, pinned: true },
      cReady: wt.cumulative(o.ready),
      cEffectiveDeadline: cumulativeDeadline(wt, o.effectiveDeadline ?? o.deadline),
    };
  }

  /**
   * q0 (§5.2): the first valid position for a new order (load p, c(ρ) = cReady): the
   * first q ≥ q_A (the first q with LS_{q+1} ≥ c(ρ) + p) with min_{k>q} K'_k ≥ M_q + p,
   * found exactly by the tree (RouteDrumTree.firstValid).
   */
  private searchFirst(base: number, cReady: number, load: number): Search {
    const tree = this.tree;
    const qA = tree.firstLSAtLeast(cReady + load, base);
    // Usually q_A itself is valid: two descents, and the walk only when it is not.
    const at = this.searchAt(qA, base, cReady, load);
    if (valid(at, load)) return at;
    return this.searchAt(tree.firstValid(qA + 1, load, base), base, cReady, load);
  }

  private searchAt(q: number, base: number, cReady: number, load: number): Search {
    const ps = this.tree.prefixState(q);
    const m = Math.max(base, ps.maxNeed);
    return {
      position: q,
      prefix: ps.prefix,
      m,
      minKAfter: this.tree.minKAfter(q, base),
      finishCumulative: Math.max(m + ps.prefix, cReady) + load,
    };
  }

  /** mulberry32: deterministic priorities, so equal inputs give equal trees. */
  private nextRandom(): number {
    let t = (this.rng = (this.rng + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
}

/** The new order of load p is valid at the searched position: nothing follows it, or min_{k>q} K'_k ≥ M_q + p. */
function valid(s: Search, load: number): boolean {
  return s.minKAfter >= s.m + load;
}

/**
 * c(D̂): working minutes up to an order's effective deadline. An infinite D̂ (an order at risk
 * beyond a calendar whose capacity ends, repositionLate) constrains nothing: Infinity, not the
 * calendar's total, everywhere a D̂ is stored (a fresh build and an incremental write must agree).
 */
function cumulativeDeadline(wt: WorkingTime, effectiveDeadline: Minute): number {
  return effectiveDeadline === Infinity ? Infinity : wt.cumulative(effectiveDeadline);
}

function orderOf(rec: SlotRecord): RouteDrumOrder {
  const o: RouteDrumOrder = { id: rec.id, load: rec.load, deadline: rec.deadline, ready: rec.ready, key: rec.key };
  if (rec.effectiveDeadline !== rec.deadline) o.effectiveDeadline = rec.effectiveDeadline;
  return o;
}

function validate(o: RouteDrumOrder | (NewRouteDrumOrder & { key: number })): void {
  if (typeof o.id !== 'string' || o.id.length === 0) throw new RangeError('order id must be a non-empty string');
  assertInt(`order ${o.id}: load`, o.load, 0);
  assertInt(`order ${o.id}: deadline`, o.deadline);
  assertInt(`order ${o.id}: ready`, o.ready);
  if (o.effectiveDeadline !== undefined) {
    if (!(o.effectiveDeadline >= o.deadline) || !(Number.isInteger(o.effectiveDeadline) || o.effectiveDeadline === Infinity)) {
      throw new RangeError(`order ${o.id}: effective deadline must be an integer ≥ its deadline, or Infinity`);
    }
  }
}

function assertInt(what: string, x: number, min = -Infinity): void {
  if (!Number.isInteger(x) || x < min) throw new RangeError(`${what} must be an integer${min > -Infinity ? ` ≥ ${min}` : ''}, got ${x}`);
}
