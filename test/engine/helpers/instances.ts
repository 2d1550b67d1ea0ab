import fc from 'fast-check';
import { workingTimeFromIntervals } from '../../../src/engine/calendar.ts';
import type { DrumOrder } from '../../../src/engine/drum-order.ts';
import type { WorkingTime } from '../../../src/engine/working-time.ts';
import { MinuteDrum } from './drum-oracle.ts';

/** Monday 2026-03-02 00:00 UTC, in engine minutes. */
export const T0 = Date.UTC(2026, 2, 2) / 60_000;
const DAYS = 3;
export const HORIZON = DAYS * 1440;

export interface Instance {
  drum: MinuteDrum;
  wt: WorkingTime;
  now: number;
  orders: DrumOrder[];
}

export function wtOf(drum: MinuteDrum): WorkingTime {
  return workingTimeFromIntervals(drum.intervals());
}

/** Per day up to three working stretches at random times: nights, gaps, idle days. */
const arbDrum = (days: number) =>
  fc
    .array(fc.array(fc.tuple(fc.integer({ min: 0, max: 1439 }), fc.integer({ min: 1, max: 480 })), { maxLength: 3 }), {
      minLength: days,
      maxLength: days,
    })
    .map((perDay) => {
      const horizon = days * 1440;
      const work = new Uint8Array(horizon);
      perDay.forEach((stretches, d) => {
        for (const [s, len] of stretches) work.fill(1, d * 1440 + s, Math.min(horizon, d * 1440 + s + len));
      });
      return new MinuteDrum(T0, work);
    });

const arbOrderSpec = (horizon: number, maxLoad: number) =>
  fc.record({
    load: fc.oneof(fc.integer({ min: 0, max: maxLoad }), fc.constant(0)),
    deadlineOffset: fc.oneof(fc.integer({ min: 0, max: horizon }), fc.constantFrom(600, 1440, 2000, 2880)),
    pinned: fc.boolean(),
    pinRank: fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }),
  });

export interface InstanceOptions {
  /** Up to this many orders; `size: 'max'` so fast-check really reaches it (its default sizing stops near 10). */
  maxOrders?: number;
  pins?: boolean;
  /** Length of the drum window in days (default DAYS). */
  days?: number;
  /** Largest order load in minutes (default 300). */
  maxLoad?: number;
}

export const arbInstance = (opts: InstanceOptions = {}): fc.Arbitrary<Instance> =>
  fc
    .record({
      drum: arbDrum(opts.days ?? DAYS),
      nowOffset: fc.integer({ min: 0, max: 1440 }),
      specs: fc.array(arbOrderSpec((opts.days ?? DAYS) * 1440, opts.maxLoad ?? 300), { maxLength: opts.maxOrders ?? 8, size: 'max' }),
      pinFraction: fc.integer({ min: 0, max: 3 }),
    })
    .map(({ drum, nowOffset, specs, pinFraction }) => {
      const now = T0 + nowOffset;
      const orders: DrumOrder[] = specs.map((s, i) => {
        const o: DrumOrder = {
          id: `o${i}`,
          load: s.load,
          deadline: Math.max(now, T0 + s.deadlineOffset),
          seq: (i * 7) % (specs.length + 3),
        };
        if (opts.pins !== false && s.pinned && i % 4 < pinFraction) {
          o.pinned = true;
          if (s.pinRank !== undefined) o.pinRank = s.pinRank;
        }
        return o;
      });
      const inst = { drum, now, orders } as Instance;
      // Not enumerable, so a counterexample does not print the working time's internals.
      Object.defineProperty(inst, 'wt', { value: wtOf(drum), enumerable: false });
      return inst;
    });

export const arbLoad = fc.oneof(fc.integer({ min: 0, max: 400 }), fc.constant(0), fc.integer({ min: 1, max: 30 }));
