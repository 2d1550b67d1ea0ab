import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { timePassingDue } from '../../src/domain/schedule/time-due.ts';
import type { PlantState } from '../../src/domain/schedule/plant-cache.ts';
import { TICK_STEP_MINUTES } from '../../src/domain/schedule/tick-step.ts';
import { buildWorkingTime, RouteBook, type Calendar, type RouteDemand, type WorkingTime } from '../../src/engine/index.ts';

const BERLIN = 'Europe/Berlin';
const m = (iso: string) => Date.parse(iso) / 60_000;
const monday = m('2026-11-23T06:00:00+01:00');
const horizon = monday + 90 * 1440;
type Day = Calendar['weekly'][number]['day'];
const cal = (days: Day[]): Calendar => ({
  timeZone: BERLIN,
  weekly: days.flatMap((day) => [{ day, start: '06:00', end: '14:00' }]),
  exceptions: [],
});
const wts = new Map<string, WorkingTime>([
  ['heat', buildWorkingTime(cal(['mon', 'tue', 'wed', 'thu']))],
  ['cnc', buildWorkingTime(cal(['mon', 'tue', 'wed', 'thu', 'fri']))],
]);
const demand = (heat: number): RouteDemand => ({
  ops: [
    { resource: 'heat', minutes: heat },
    { resource: 'cnc', minutes: 60 },
  ],
  policy: { productionBufferDays: 2, shippingBufferDays: 1, standardLeadTimeDays: 2 },
});
const stateOf = (book: RouteBook) => ({ route: book }) as unknown as PlantState;
const truth = (book: RouteBook, now: number) => book.tickDue(now, now + TICK_STEP_MINUTES);

function commit(book: RouteBook, id: string, heat: number) {
  const q = book.quote(monday, demand(heat), horizon);
  book.commit(monday, id, demand(heat), q.promiseDate, horizon);
}

describe('timePassingDue: RouteBook.tickDue remembered per book revision and minute', () => {
  it('answers again after any change to the book in the same minute, a rollback included, and in the next minute', () => {
    const book = new RouteBook('cnc', wts, [], { lookahead: 0 });
    const state = stateOf(book);
    commit(book, 'a', 240); // heat Mon 06:00–10:00
    book.upsert({ ...book.get('a')!, released: true });
    const now = m('2026-11-23T08:00:00+01:00');
    expect(timePassingDue(state, now)).toBe(false);
    expect(timePassingDue(state, now)).toBe(false);
    const cp = book.checkpoint();
    book.upsert({ ...book.get('a')!, released: false });
    expect(timePassingDue(state, now)).toBe(true);
    book.rollback(cp);
    expect(timePassingDue(state, now)).toBe(false);
    commit(book, 'b', 240); // heat Mon 10:00–14:00, not released
    expect(timePassingDue(state, now)).toBe(false);
    expect(timePassingDue(state, m('2026-11-23T10:30:00+01:00'))).toBe(true);
    expect(timePassingDue(stateOf(book.withWorkingTimes(wts)), now)).toBe(false);
  });

  it('always equals tickDue over random changes, rollbacks and minutes', () => {
    type Step =
      | { kind: 'commit'; heat: number }
      | { kind: 'release' | 'unrelease'; k: number }
      | { kind: 'rollback' }
      | { kind: 'mark' }
      | { kind: 'time'; d: number };
    const arbStep: fc.Arbitrary<Step> = fc.oneof(
      fc.record({ kind: fc.constant('commit' as const), heat: fc.integer({ min: 0, max: 300 }) }),
      fc.record({ kind: fc.constantFrom('release' as const, 'unrelease' as const), k: fc.nat(10) }),
      fc.record({ kind: fc.constantFrom('rollback' as const, 'mark' as const) }),
      fc.record({ kind: fc.constant('time' as const), d: fc.integer({ min: 0, max: 240 }) }),
    );
    fc.assert(
      fc.property(fc.array(arbStep, { maxLength: 30 }), (steps) => {
        const book = new RouteBook('cnc', wts, [], { lookahead: 0 });
        const state = stateOf(book);
        const marks: ReturnType<RouteBook['checkpoint']>[] = [];
        let now = monday;
        let n = 0;
        for (const s of steps) {
          if (s.kind === 'commit') commit(book, `o${n++}`, s.heat);
          else if (s.kind === 'release' || s.kind === 'unrelease') {
            const ids = book.orders().map((o) => o.id);
            const id = ids[s.k % Math.max(1, ids.length)];
            if (id) book.upsert({ ...book.get(id)!, released: s.kind === 'release' });
          } else if (s.kind === 'mark') marks.push(book.checkpoint());
          else if (s.kind === 'rollback') {
            const cp = marks.pop();
            if (cp) book.rollback(cp);
          } else if (s.kind === 'time') now += s.d;
          expect(timePassingDue(state, now)).toBe(truth(book, now));
          expect(timePassingDue(state, now)).toBe(truth(book, now));
        }
      }),
      { numRuns: 200 },
    );
  });
});
