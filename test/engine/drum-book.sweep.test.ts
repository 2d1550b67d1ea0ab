import { describe, expect, it } from 'vitest';
import { workingTimeFromIntervals } from '../../src/engine/calendar.ts';
import { DrumBook } from '../../src/engine/drum-book.ts';
import type { DrumOrder } from '../../src/engine/drum-order.ts';
import { MinuteDrum, oracleAdmits, oracleEarliestDeadline, oracleFeasible, oracleSequence, simulate } from './helpers/drum-oracle.ts';

// A fixed-seed sweep of small drums against the minute-by-minute oracle. Unlike the
// fast-check properties it does not shrink with PROPERTY_RUNS_SCALE, so the rare shapes it
// is built to produce (zero loads, equal deadlines and sequence numbers, query loads equal
// to an order's slack ± 1, a now inside or after the orders) are seen on every run.
const WINDOW = 360;
const INSTANCES = 80;

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

interface Instance {
  drum: MinuteDrum;
  orders: DrumOrder[];
  now: number;
}

function instance(seed: number): Instance {
  const r = mulberry32(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const work = new Uint8Array(WINDOW);
  for (let t = 0; t < WINDOW;) {
    const len = int(1, 25);
    work.fill(r() < 0.65 ? 1 : 0, t, Math.min(WINDOW, t + len));
    t += len;
  }
  const now = int(10, 40);
  // The engine measures lateness in working time: an order due in a pause just before now is
  // not late by it, while the oracle's instants say it is. Working minutes just before now
  // keep the two conventions apart from this sweep (every late order is late by both).
  work.fill(1, now - 10, now);
  const deadlines = Array.from({ length: int(2, 6) }, () => int(now - 10, WINDOW - 40));
  const orders: DrumOrder[] = [];
  const n = int(0, 12);
  for (let i = 0; i < n; i++) {
    const o: DrumOrder = {
      id: String.fromCharCode(97 + ((i * 7) % 26)) + String(int(0, 1)),
      load: r() < 0.35 ? 0 : int(1, 30),
      deadline: deadlines[int(0, deadlines.length - 1)]!,
      seq: int(1, 3),
    };
    if (orders.some((x) => x.id === o.id)) o.id += `-${i}`;
    if (r() < 0.15) {
      o.pinned = true;
      if (r() < 0.7) o.pinRank = int(0, 2);
    }
    orders.push(o);
  }
  return { drum: new MinuteDrum(0, work), orders, now };
}

/** Working minutes from a to b (negative when b < a). */
function working(drum: MinuteDrum, a: number, b: number): number {
  let n = 0;
  for (let t = Math.min(a, b); t < Math.max(a, b); t++) if (drum.working(t)) n++;
  return b >= a ? n : -n;
}

/** The same orders three ways: built at once, inserted one by one, and with half removed and put back. */
function books(wt: ReturnType<typeof workingTimeFromIntervals>, orders: readonly DrumOrder[]): DrumBook[] {
  const built = new DrumBook(wt, orders);
  const inserted = new DrumBook(wt);
  for (const o of [...orders].reverse()) inserted.insert(o);
  const churned = new DrumBook(wt, orders);
  const half = orders.filter((_, i) => i % 2 === 0);
  for (const o of half) expect(churned.remove(o.id)).toBe(true);
  for (const o of half) churned.insert(o);
  return [built, inserted, churned];
}

describe('DrumBook against the minute-by-minute oracle on a fixed sweep of small drums', () => {
  it('agrees on sequence, feasibility, slack, earliest deadline, admission and deficit', () => {
    let rareChecks = 0;
    for (let seed = 1; seed <= INSTANCES; seed++) {
      const { drum, orders, now } = instance(seed);
      const wt = workingTimeFromIntervals(drum.intervals());
      const sequence = oracleSequence(orders);
      const sim = simulate(drum, sequence, now);
      const allFinish = sequence.every((o) => Number.isFinite(sim.get(o.id)!.finish));
      const slacks = allFinish ? sequence.map((o) => working(drum, sim.get(o.id)!.finish, o.deadline)) : [];
      const loads = new Set([0, 1, 7, 29]);
      for (const s of slacks) for (const l of [s - 1, s, s + 1]) if (l >= 0) loads.add(l);
      // The oracle's answers, worked out once per drum and compared with each of the three books.
      const cases = [...loads].map((load) => {
        const d = oracleEarliestDeadline(drum, orders, load, now);
        const probes = (Number.isFinite(d) ? [d - 1, d, d + 3] : [now, WINDOW - 1]).map((deadline) => {
          const added: DrumOrder = { id: '__new__', load, deadline, seq: Infinity };
          return { deadline, ok: oracleAdmits(drum, orders, added, now), added };
        });
        return { load, d, probes };
      });
      const feasible = oracleFeasible(drum, orders, now);
      const all = books(wt, orders);
      const first = all[0];
      for (const book of all) {
        const ctx = `seed ${seed}`;
        expect(
          book.orders().map((o) => o.id),
          ctx,
        ).toEqual(sequence.map((o) => o.id));
        expect(book.feasible(now), ctx).toBe(feasible);
        if (allFinish) expect(book.minSlack(now), ctx).toBe(slacks.length === 0 ? Infinity : Math.min(...slacks));
        for (const { load, d, probes } of cases) {
          expect(book.earliestDeadline(now, load), `${ctx} load ${load}`).toBe(d);
          for (const { deadline, ok, added } of probes) {
            expect(book.admits(now, load, deadline), `${ctx} load ${load} deadline ${deadline}`).toBe(ok);
            const k = book.deficit(now, load, deadline);
            if (deadline < now) {
              expect(k).toBe(Infinity);
              continue;
            }
            // The deficit is exact: that many more working minutes before the deadline admit the order, one fewer does not.
            const free = drum.freeMinutes(now, deadline);
            if (ok || k > free.length || book !== first) continue;
            rareChecks++;
            expect(oracleAdmits(drum.withExtra(free.slice(0, k)), orders, added, now), `${ctx} deficit ${k}`).toBe(true);
            expect(oracleAdmits(drum.withExtra(free.slice(0, k - 1)), orders, added, now), `${ctx} deficit ${k} − 1`).toBe(false);
          }
        }
      }
    }
    expect(rareChecks).toBeGreaterThan(50);
  });
});
