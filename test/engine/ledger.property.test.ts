import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildWorkingTime } from '../../src/engine/calendar.ts';
import type { Calendar } from '../../src/engine/calendar-types.ts';
import { recalendar, rightShift, type RouteLinks } from '../../src/engine/ledger-repair.ts';
import { LedgerSet, type ChainOp } from '../../src/engine/ledger-set.ts';
import { Ledger } from '../../src/engine/ledger.ts';
import type { OracleWindow } from './calendar-oracle.ts';
import { arbCalendar, arbException, NaiveLedger, WINDOWS, windowDates } from './helpers/ledger-reference.ts';

/**
 * Ledger searches, chains, undo, rebuild and repair against the naive minute-array
 * reference of helpers/ledger-reference.ts (Intl-based working minutes, linear scans).
 * LEDGER_PROPERTY_RUNS scales the run counts for a soak.
 */
const SCALE = Number(process.env.LEDGER_PROPERTY_RUNS ?? 1);
const runs = (n: number) => ({ numRuns: Math.max(1, Math.round(n * SCALE)) });

/** Few distinct sizes, so gaps of exactly p minutes (the boundary of every pruning test) are common. */
const arbMinutes = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(1, 2, 3, 5, 10, 30, 60, 120, 480) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 600 }) },
);
const arbWindow = fc.constantFrom(...WINDOWS);

/** Offsets inside the window, in minutes from its start; a few repeated ones pack reservations tightly (exact holes on removal). */
const arbOffset = (w: OracleWindow) =>
  fc.oneof(fc.constantFrom(0, Math.floor(w.length / 3), Math.floor(w.length / 2)), fc.integer({ min: 0, max: w.length }));

type Op =
  | { kind: 'first'; t: number; p: number; slack: number; book: boolean }
  | { kind: 'last'; t: number; p: number; slack: number; book: boolean }
  | { kind: 'remove'; pick: number; refill: boolean };

/** How far a search may look: mostly the whole window, sometimes a tight horizon (or floor). */
const arbSlack = (w: OracleWindow) => fc.oneof(fc.constant(w.length), fc.integer({ min: 0, max: w.length }));
const arbBook = fc.oneof(fc.constant(true), fc.boolean());

const arbOps = (w: OracleWindow, maxLength: number, minutes = arbMinutes): fc.Arbitrary<Op[]> =>
  fc.array(
    fc.oneof(
      {
        weight: 5,
        arbitrary: fc.record({ kind: fc.constant('first' as const), t: arbOffset(w), p: minutes, slack: arbSlack(w), book: arbBook }),
      },
      {
        weight: 3,
        arbitrary: fc.record({ kind: fc.constant('last' as const), t: arbOffset(w), p: minutes, slack: arbSlack(w), book: arbBook }),
      },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('remove' as const), pick: fc.nat(), refill: fc.boolean() }) },
    ),
    // explicit sizes: fast-check's default size would keep most runs to a handful of ops
    { minLength: Math.floor(maxLength / 4), maxLength, size: 'max' },
  );

/** Small ops for the long runs, so a few hundred reservations fit in three weeks. */
const arbSmallMinutes = fc.oneof(fc.constantFrom(1, 2, 5, 10, 15, 30), fc.integer({ min: 1, max: 60 }));

const arbCase = (maxOps: number, minutes = arbMinutes) =>
  arbWindow.chain((w) => fc.record({ w: fc.constant(w), calendar: arbCalendar(w), ops: arbOps(w, maxOps, minutes) }));

/**
 * Runs ops on a ledger and the reference side by side: every search must agree exactly
 * (or both find nothing); booked answers go into both.
 */
function replay(w: OracleWindow, ledger: Ledger, naive: NaiveLedger | null, ops: Op[], tag = 'o'): void {
  let n = 0;
  for (const op of ops) {
    if (op.kind === 'remove') {
      const all = ledger.entries();
      if (all.length === 0) continue;
      const r = all[op.pick % all.length]!;
      const { start, end: e } = ledger.interval(r);
      expect(ledger.remove(r.order, r.position)).toEqual(r);
      naive?.unbook(start, e);
      if (op.refill && naive) {
        // the hole is exactly r.minutes long, or longer where it meets free time
        // searched from the first reservation's start and back from the last one's end, so the scan passes the other gaps
        const rest = ledger.entries();
        const from = rest.length > 0 ? ledger.interval(rest[0]!).start : w.from;
        const to = rest.length > 0 ? ledger.interval(rest[rest.length - 1]!).end : w.from + w.length;
        expect(ledger.firstFit(from, r.minutes, to)).toMatchObject(naive.firstFit(from, r.minutes, to) ?? {});
        expect(ledger.lastFit(to, r.minutes, from)).toMatchObject(naive.lastFit(to, r.minutes, from) ?? {});
      }
      continue;
    }
    const t = w.from + op.t;
    const limit = op.kind === 'first' ? Math.min(w.from + w.length, t + op.slack) : Math.max(w.from, t - op.slack);
    const fit = op.kind === 'first' ? ledger.firstFit(t, op.p, limit) : ledger.lastFit(t, op.p, limit);
    if (naive) {
      const want = op.kind === 'first' ? naive.firstFit(t, op.p, limit) : naive.lastFit(t, op.p, limit);
      expect(fit === null ? null : { start: fit.start, end: fit.end }).toEqual(want);
    }
    if (fit && op.book) {
      const r = { order: `${tag}${n++}`, position: 1 + (n % 3), a: fit.a, minutes: op.p };
      ledger.insert(r);
      naive?.book(fit.start, fit.end, op.p); // throws unless exact and disjoint
    }
  }
}

/** Every reservation is exactly its minutes of working time and none overlap (the reference re-books them all). */
function expectValid(ledger: Ledger, calendar: Calendar, w: OracleWindow): void {
  ledger.diagnostics();
  const fresh = new NaiveLedger(calendar, w);
  for (const r of ledger.entries()) {
    const { start, end } = ledger.interval(r);
    fresh.book(start, end, r.minutes);
  }
}

describe('ledger searches against the minute-array reference', () => {
  it('firstFit and lastFit equal the naive earliest and latest fit; bookings stay exact and disjoint (≤ 40 ops)', () => {
    fc.assert(
      fc.property(arbCase(40), ({ w, calendar, ops }) => {
        const ledger = new Ledger(buildWorkingTime(calendar));
        replay(w, ledger, new NaiveLedger(calendar, w), ops);
        expectValid(ledger, calendar, w);
      }),
      runs(60),
    );
  });

  it('the same with up to 600 ops of small ops (a few hundred reservations)', () => {
    let peak = 0;
    fc.assert(
      fc.property(arbCase(600, arbSmallMinutes), ({ w, calendar, ops }) => {
        const ledger = new Ledger(buildWorkingTime(calendar));
        replay(w, ledger, new NaiveLedger(calendar, w), ops);
        expectValid(ledger, calendar, w);
        peak = Math.max(peak, ledger.size);
      }),
      runs(10),
    );
    // The runs reach realistic sizes, far beyond fast-check's default of ~10 (typically 150–250
    // reservations; a CI run once peaked at 98 over its 10 draws, so the bound leaves room for that).
    expect(peak).toBeGreaterThan(50);
  });
});

/** Two or three resources on different calendars, pre-loaded, and a chain visiting them (repeats allowed). */
const arbPlant = arbWindow.chain((w) =>
  fc.record({
    w: fc.constant(w),
    calendars: fc.array(arbCalendar(w), { minLength: 2, maxLength: 3 }),
    load: arbOps(w, 60),
    chain: fc.array(fc.tuple(fc.nat(), arbMinutes), { minLength: 1, maxLength: 4 }),
    t1: arbOffset(w),
    t2: arbOffset(w),
    T: arbOffset(w),
  }),
);

function plant(w: OracleWindow, calendars: Calendar[], load: Op[]) {
  const set = new LedgerSet();
  const naive = new Map<string, NaiveLedger>();
  calendars.forEach((c, k) => {
    const ledger = new Ledger(buildWorkingTime(c));
    const ref = new NaiveLedger(c, w);
    replay(w, ledger, ref, load, `r${k}-`);
    set.add(`r${k}`, ledger);
    naive.set(`r${k}`, ref);
  });
  return { set, naive };
}

/** The reference chain: op by op on the naive ledgers, own placements booked tentatively. */
function naiveChain(naive: Map<string, NaiveLedger>, ops: ChainOp[], t: number, limit: number, dir: 'forward' | 'backward') {
  const placed: Array<{ resource: string; start: number; end: number }> = [];
  let at = t;
  let ok = true;
  const order = dir === 'forward' ? ops : [...ops].reverse();
  for (const op of order) {
    const ref = naive.get(op.resource)!;
    const fit = dir === 'forward' ? ref.firstFit(at, op.minutes, limit) : ref.lastFit(at, op.minutes, limit);
    if (!fit) {
      ok = false;
      break;
    }
    ref.book(fit.start, fit.end, op.minutes);
    placed.push({ resource: op.resource, ...fit });
    at = dir === 'forward' ? fit.end : fit.start;
  }
  for (const p of placed) naive.get(p.resource)!.unbook(p.start, p.end);
  if (!ok) return null;
  return dir === 'forward' ? placed : placed.reverse();
}

describe('chain placement', () => {
  it('forward and backward equal the reference chains; F1 (end non-decreasing in t) and F2', () => {
    fc.assert(
      fc.property(arbPlant, ({ w, calendars, load, chain, t1, t2, T }) => {
        const { set, naive } = plant(w, calendars, load);
        const ops: ChainOp[] = chain.map(([r, minutes], k) => ({
          resource: `r${r % calendars.length}`,
          order: 'x',
          position: k + 1,
          minutes,
        }));
        const end = w.from + w.length;
        const [ta, tb] = [w.from + Math.min(t1, t2), w.from + Math.max(t1, t2)];
        const fa = set.forward(ops, ta, end);
        const fb = set.forward(ops, tb, end);
        const strip = (c: ReturnType<LedgerSet['forward']>) =>
          c && c.placements.map((p) => ({ resource: p.resource, start: p.start, end: p.end }));
        expect(strip(fa)).toEqual(naiveChain(naive, ops, ta, end, 'forward'));
        // F1: a later start never ends earlier (and never fits when the earlier one does not)
        if (fb) expect(fa!.end).toBeLessThanOrEqual(fb.end);
        if (fa) {
          let prevEnd = ta;
          for (const p of fa.placements) {
            expect(p.start).toBeGreaterThanOrEqual(prevEnd);
            prevEnd = p.end;
          }
        }
        // F2: forward from any t at or before backward(T)'s start ends by T
        const tT = w.from + T;
        const b = set.backward(ops, tT, w.from);
        expect(strip(b)).toEqual(naiveChain(naive, ops, tT, w.from, 'backward'));
        if (b) {
          expect(b.end).toBeLessThanOrEqual(tT);
          for (const t of [b.start, ta <= b.start ? ta : w.from]) expect(set.forward(ops, t, end)!.end).toBeLessThanOrEqual(tT);
        }
        // a chain books as placed: the placements are disjoint from each other and the ledgers
        if (fa) {
          set.book(fa.placements);
          calendars.forEach((c, k) => expectValid(set.get(`r${k}`), c, w));
        }
      }),
      runs(80),
    );
  });
});

describe('checkpoint and rollback', () => {
  it('rollback restores exactly the state at the checkpoint (entries and tree shape), through a rebuild and a repair', () => {
    const arb = arbWindow.chain((w) =>
      fc.record({
        w: fc.constant(w),
        calendar: arbCalendar(w),
        other: arbCalendar(w),
        before: arbOps(w, 60),
        after: arbOps(w, 60),
        rebuildAt: fc.nat({ max: 60 }),
        shiftAt: fc.option(fc.tuple(fc.nat(), arbOffset(w)), { nil: undefined }),
      }),
    );
    fc.assert(
      fc.property(arb, ({ w, calendar, other, before, after, rebuildAt, shiftAt }) => {
        const ledger = new Ledger(buildWorkingTime(calendar));
        replay(w, ledger, new NaiveLedger(calendar, w), before);
        const snapshot = structuredClone({ entries: ledger.entries(), shape: ledger.diagnostics() });
        const set = new LedgerSet([['r', ledger]]);
        const cp = set.checkpoint();
        replay(w, ledger, null, after.slice(0, rebuildAt), 'p');
        if (shiftAt) {
          const all = ledger.entries();
          const r = all[shiftAt[0] % Math.max(1, all.length)];
          const none: RouteLinks = { next: () => undefined };
          if (r) rightShift(set, none, [{ resource: 'r', order: r.order, position: r.position, notBefore: w.from + shiftAt[1] }], Infinity);
        }
        ledger.rebuild(buildWorkingTime(other));
        replay(w, ledger, null, after.slice(rebuildAt), 'q');
        set.rollback(cp);
        expect({ entries: ledger.entries(), shape: ledger.diagnostics() }).toEqual(snapshot);
      }),
      runs(40),
    );
  });
});

describe('rebuild on a new calendar', () => {
  const arb = (kinds: Array<'overtime' | 'extra_shift' | 'downtime' | 'holiday'>) =>
    arbWindow.chain((w) =>
      fc.record({
        w: fc.constant(w),
        calendar: arbCalendar(w),
        extra: fc.array(arbException(windowDates(w), kinds), { minLength: 1, maxLength: 4 }),
        ops: arbOps(w, 120),
      }),
    );

  it('more capacity (overtime, extra shifts): starts kept, ends no later, exact and disjoint (shrink)', () => {
    fc.assert(
      fc.property(arb(['overtime', 'extra_shift']), ({ w, calendar, extra, ops }) => {
        const ledger = new Ledger(buildWorkingTime(calendar));
        replay(w, ledger, new NaiveLedger(calendar, w), ops);
        const old = new Map(ledger.entries().map((r) => [`${r.order}#${r.position}`, ledger.interval(r)]));
        const wider: Calendar = { ...calendar, exceptions: [...calendar.exceptions, ...extra] };
        const moves = ledger.rebuild(buildWorkingTime(wider));
        for (const r of ledger.entries()) {
          const was = old.get(`${r.order}#${r.position}`)!;
          const now = ledger.interval(r);
          expect(now.start).toBe(was.start);
          expect(now.end).toBeLessThanOrEqual(was.end);
        }
        expect(moves.every((m) => m.to.start === m.from.start && m.to.end < m.from.end)).toBe(true);
        expectValid(ledger, wider, w);
      }),
      runs(40),
    );
  });

  it('less capacity (downtime, holidays): order kept, each starts at the first working minute after max(old start, predecessor end)', () => {
    fc.assert(
      fc.property(arb(['downtime', 'holiday']), ({ w, calendar, extra, ops }) => {
        const ledger = new Ledger(buildWorkingTime(calendar));
        replay(w, ledger, new NaiveLedger(calendar, w), ops);
        const old = ledger.entries().map((r) => ({ r, was: ledger.interval(r) }));
        const narrower: Calendar = { ...calendar, exceptions: [...calendar.exceptions, ...extra] };
        ledger.rebuild(buildWorkingTime(narrower));
        const ref = new NaiveLedger(narrower, w);
        const after = ledger.entries();
        expect(after.map((r) => `${r.order}#${r.position}`)).toEqual(old.map(({ r }) => `${r.order}#${r.position}`));
        let prevEnd = -Infinity;
        after.forEach((r) => {
          const now = ledger.interval(r);
          const first = ref.nextWorking(Math.max(old.find((o) => o.r.order === r.order)!.was.start, prevEnd));
          if (first === undefined) return; // past the reference window
          expect(now.start).toBe(first);
          prevEnd = now.end;
        });
        if (after.every((r) => ledger.interval(r).end <= w.from + w.length)) expectValid(ledger, narrower, w);
      }),
      runs(40),
    );
  });
});

type Node = { resource: string; order: string; position: number; minutes: number; start: number; end: number };
const nodeKey = (resource: string, order: string, position: number) => `${resource}|${order}|${position}`;

function snapshotNodes(set: LedgerSet): Node[] {
  const nodes: Node[] = [];
  for (const resource of set.resources()) {
    const ledger = set.get(resource);
    for (const r of ledger.entries()) nodes.push({ resource, ...r, ...ledger.interval(r) });
  }
  return nodes;
}

/**
 * The right-shift's least fixpoint, minute by minute on the reference calendars: every
 * op starts at the first working minute at or after max(its old start, its bound, its
 * ledger predecessor's end (ledger order = old start order), its routing predecessor's
 * end), iterated until nothing changes. undefined when an op leaves the window.
 */
function referenceFixpoint(
  nodes: Node[],
  naive: ReadonlyMap<string, NaiveLedger>,
  routes: ReadonlyMap<string, string[]>,
  bounds: ReadonlyArray<{ resource: string; order: string; position: number; notBefore: number }>,
): Map<string, { start: number; end: number }> | undefined {
  const lbs = new Map<string, number>();
  for (const b of bounds) {
    const k = nodeKey(b.resource, b.order, b.position);
    lbs.set(k, Math.max(lbs.get(k) ?? -Infinity, b.notBefore));
  }
  const byStart = [...nodes].sort((x, y) => x.start - y.start);
  const ref = new Map(byStart.map((n) => [nodeKey(n.resource, n.order, n.position), { start: NaN, end: -Infinity }]));
  for (let changed = true; changed;) {
    changed = false;
    const lastEnd = new Map<string, number>();
    for (const n of byStart) {
      const k = nodeKey(n.resource, n.order, n.position);
      let lb = Math.max(n.start, lbs.get(k) ?? -Infinity, lastEnd.get(n.resource) ?? -Infinity);
      const prevRes = n.position > 1 ? routes.get(n.order)?.[n.position - 2] : undefined;
      if (prevRes !== undefined) lb = Math.max(lb, ref.get(nodeKey(prevRes, n.order, n.position - 1))!.end);
      const cal = naive.get(n.resource)!;
      const start = cal.nextWorking(lb);
      const end = start === undefined ? undefined : cal.oracle.addWorkingMinutes(start, n.minutes);
      if (start === undefined || end === undefined) return undefined;
      const cur = ref.get(k)!;
      if (cur.start !== start || cur.end !== end) {
        changed = true;
        ref.set(k, { start, end });
      }
      lastEnd.set(n.resource, end);
    }
  }
  return ref;
}

type ChainSpec = [offset: number, ops: Array<[resource: number, minutes: number]>];
const arbChains = (w: OracleWindow) =>
  fc.array(fc.tuple(arbOffset(w), fc.array(fc.tuple(fc.nat(), arbMinutes), { minLength: 1, maxLength: 3 })), {
    minLength: 1,
    maxLength: 6,
  });

/** Books each chain by forward placement from its offset; returns each order's resources by position and the links. */
function bookChains(set: LedgerSet, w: OracleWindow, resources: number, chains: ChainSpec[]) {
  const routes = new Map<string, string[]>(); // order -> resource per position (1-based)
  chains.forEach(([t, ops], k) => {
    const chain: ChainOp[] = ops.map(([r, minutes], i) => ({ resource: `r${r % resources}`, order: `c${k}`, position: i + 1, minutes }));
    const placed = set.forward(chain, w.from + t, w.from + w.length);
    if (!placed) return;
    set.book(placed.placements);
    routes.set(
      `c${k}`,
      chain.map((op) => op.resource),
    );
  });
  const route: RouteLinks = {
    next(order, position) {
      const r = routes.get(order)?.[position];
      return r === undefined ? undefined : { resource: r, position: position + 1 };
    },
  };
  return { routes, route };
}

/** Checker rule 2 on the booked chains: each op ends by the next one's start. */
function expectRoutingOrder(set: LedgerSet, routes: ReadonlyMap<string, string[]>): void {
  for (const [order, resources] of routes) {
    let prevEnd = -Infinity;
    resources.forEach((resource, k) => {
      const ledger = set.get(resource);
      const { start, end } = ledger.interval(ledger.get(order, k + 1)!);
      expect(start).toBeGreaterThanOrEqual(prevEnd);
      prevEnd = end;
    });
  }
}

describe('right-shift repair', () => {
  const arb = arbWindow.chain((w) =>
    fc.record({
      w: fc.constant(w),
      calendars: fc.array(arbCalendar(w), { minLength: 2, maxLength: 3 }),
      load: arbOps(w, 40),
      chains: arbChains(w),
      bounds: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 3000 })), { minLength: 1, maxLength: 3 }),
    }),
  );

  it('equals the least fixpoint computed minute by minute (old start, ledger and routing predecessors, bounds)', () => {
    fc.assert(
      fc.property(arb, ({ w, calendars, load, chains, bounds }) => {
        const { set, naive } = plant(w, calendars, load);
        const { routes, route } = bookChains(set, w, calendars.length, chains);
        const nodes = snapshotNodes(set);
        if (nodes.length === 0) return;
        const given = bounds.map(([pick, delta]) => {
          const n = nodes[pick % nodes.length]!;
          return { resource: n.resource, order: n.order, position: n.position, notBefore: n.start + delta };
        });
        const ref = referenceFixpoint(nodes, naive, routes, given);
        if (!ref) return; // leaves the reference window: no verdict
        const cp = set.checkpoint();
        const result = rightShift(set, route, given, w.from + w.length);
        for (const resource of set.resources()) {
          const ledger = set.get(resource);
          for (const r of ledger.entries()) expect(ledger.interval(r)).toEqual(ref.get(nodeKey(resource, r.order, r.position)));
          expectValid(ledger, calendars[Number(resource.slice(1))]!, w);
        }
        expectRoutingOrder(set, routes);
        const moved = nodes.filter((n) => ref.get(nodeKey(n.resource, n.order, n.position))!.start !== n.start);
        expect(result.moves.length).toBe(moved.length);
        expect(result.beyondHorizon).toEqual([]);
        set.rollback(cp);
        for (const n of nodes)
          expect(set.get(n.resource).interval(set.get(n.resource).get(n.order, n.position)!)).toMatchObject({ start: n.start });
      }),
      runs(60),
    );
  });
});

describe('recalendar: rebuild on a new calendar, then right-shift', () => {
  const arb = arbWindow.chain((w) =>
    fc.record({
      w: fc.constant(w),
      calendars: fc.array(arbCalendar(w), { minLength: 2, maxLength: 3 }),
      load: arbOps(w, 40),
      chains: arbChains(w),
      pick: fc.nat(),
      extra: fc.array(arbException(windowDates(w), ['holiday', 'downtime', 'overtime', 'extra_shift']), { minLength: 1, maxLength: 4 }),
    }),
  );

  it('equals the least fixpoint on the new calendar (starts kept or right-shifted, ends re-measured)', () => {
    fc.assert(
      fc.property(arb, ({ w, calendars, load, chains, pick, extra }) => {
        const { set, naive } = plant(w, calendars, load);
        const { routes, route } = bookChains(set, w, calendars.length, chains);
        const nodes = snapshotNodes(set);
        const k = pick % calendars.length;
        const changed: Calendar = { ...calendars[k]!, exceptions: [...calendars[k]!.exceptions, ...extra] };
        const after = new Map(naive);
        after.set(`r${k}`, new NaiveLedger(changed, w));
        const ref = referenceFixpoint(nodes, after, routes, []);
        if (!ref) return; // leaves the reference window: no verdict
        const cp = set.checkpoint();
        const result = recalendar(set, `r${k}`, buildWorkingTime(changed), route, w.from + w.length);
        for (const resource of set.resources()) {
          const ledger = set.get(resource);
          for (const r of ledger.entries()) expect(ledger.interval(r)).toEqual(ref.get(nodeKey(resource, r.order, r.position)));
          expectValid(ledger, resource === `r${k}` ? changed : calendars[Number(resource.slice(1))]!, w);
        }
        expectRoutingOrder(set, routes);
        const moved = nodes.filter((n) => {
          const now = ref.get(nodeKey(n.resource, n.order, n.position))!;
          return now.start !== n.start || now.end !== n.end;
        });
        expect(result.moves.map((m) => nodeKey(m.resource, m.order, m.position)).sort()).toEqual(
          moved.map((n) => nodeKey(n.resource, n.order, n.position)).sort(),
        );
        set.rollback(cp);
        expect(snapshotNodes(set)).toEqual(nodes);
      }),
      runs(60),
    );
  });
});
