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
const arbDrum = fc
  .array(fc.array(fc.tuple(fc.integer({ min: 0, max: 1439 }), fc.integer({ min: 1, max: 480 })), { maxLength: 3 }), {
    minLength: DAYS,
    maxLength: DAYS,
  })
  .map((days) => {
    const work = new Uint8Array(HORIZON);
    days.forEach((stretches, d) => {
      for (const [s, len] of stretches) work.fill(1, d * 1440 + s, Math.min(HORIZON, d * 1440 + s + len));
    });
    return new MinuteDrum(T0, work);
  });

const arbOrderSpec = fc.record({
  load: fc.oneof(fc.integer({ min: 0, max: 300 }), fc.constant(0)),
  deadlineOffset: fc.oneof(fc.integer({ min: 0, max: HORIZON }), fc.constantFrom(600, 1440, 2000, 2880)),
  pinned: fc.boolean(),
  pinRank: fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined }),
});

export const arbInstance = (opts: { maxOrders?: number; pins?: boolean } = {}): fc.Arbitrary<Instance> =>
  fc
    .record({
      drum: arbDrum,
      nowOffset: fc.integer({ min: 0, max: 1440 }),
      specs: fc.array(arbOrderSpec, { maxLength: opts.maxOrders ?? 8 }),
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
