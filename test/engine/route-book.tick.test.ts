import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BufferPolicy } from '../../src/engine/buffer-days.ts';
import { buildWorkingTime } from '../../src/engine/calendar.ts';
import type { Calendar } from '../../src/engine/calendar-types.ts';
import { RouteBook, type RouteDemand } from '../../src/engine/index.ts';
import { NoCapacityError } from '../../src/engine/quote.ts';
import type { WorkingTime } from '../../src/engine/working-time.ts';
import { checkPlan, describeViolations, type CheckerInput } from '../helpers/plan-checker.ts';
import { arbPlant } from '../helpers/plant-gen.ts';
import { harnessOf } from '../helpers/route-harness.ts';

const BERLIN = 'Europe/Berlin';
const m = (iso: string) => Date.parse(iso) / 60_000;
const monday = m('2026-11-23T06:00:00+01:00');
const horizon = monday + 90 * 1440;
type Day = Calendar['weekly'][number]['day'];
const cal = (days: Day[], shifts: [string, string][]): Calendar => ({
  timeZone: BERLIN,
  weekly: days.flatMap((day) => shifts.map(([start, end]) => ({ day, start, end }))),
  exceptions: [],
});
const ONE: [string, string][] = [['06:00', '14:00']];
const TWO: [string, string][] = [
  ['06:00', '14:00'],
  ['14:00', '22:00'],
];
const calendars = {
  heat: cal(['mon', 'tue', 'wed', 'thu'], ONE),
  cnc: cal(['mon', 'tue', 'wed', 'thu', 'fri'], TWO),
  test: cal(['mon', 'tue', 'wed', 'thu', 'fri'], ONE),
};
const wts = new Map<string, WorkingTime>(Object.entries(calendars).map(([id, c]) => [id, buildWorkingTime(c)]));
const checkerPlant: CheckerInput['plant'] = {
  timeZone: BERLIN,
  drum: 'cnc',
  resources: Object.entries(calendars).map(([id, calendar]) => ({ id, calendar })),
};
const policy: BufferPolicy = { productionBufferDays: 2, shippingBufferDays: 1, standardLeadTimeDays: 2 };
const demand = (heat: number): RouteDemand => ({
  ops: [
    { resource: 'heat', minutes: heat },
    { resource: 'cnc', minutes: 60 },
    { resource: 'test', minutes: 30 },
  ],
  policy,
});

/**
 * The checker's view at `now`: an unreleased order's projected release is max(its rope
 * instant, now), so rule 3 ("first start ≥ release") says no unreleased order's work is
 * planned before now; orders the tick reported at risk are checked for rules 1–4 only.
 */
function checkerInput(
  book: RouteBook,
  now: number,
  atRisk: ReadonlySet<string> = new Set(),
  plant = checkerPlant,
  consumed: ReadonlySet<string> = new Set(),
): CheckerInput {
  const input: CheckerInput = { now, plant, orders: [], plan: {} };
  for (const p of book.plan(now)) {
    const rec = book.get(p.id)!;
    const planned = p.plannedRelease ?? now;
    input.orders.push({
      id: p.id,
      status: rec.released ? 'released' : 'confirmed',
      atRisk: atRisk.has(p.id),
      bufferConsumed: consumed.has(p.id),
      promise: rec.promiseDate,
      shippingBufferDays: rec.shippingBufferDays,
      materialAvailable: null,
      release: rec.released ? planned : Math.max(planned, now),
      operations: p.operations.map(({ position, resource, minutes }) => ({ position, resource, minutes })),
    });
    input.plan[p.id] = p.operations.map(({ position, resource, start, end }) => ({ position, resource, start, end }));
  }
  return input;
}

function expectValid(book: RouteBook, now: number, atRisk?: ReadonlySet<string>) {
  const v = checkPlan(checkerInput(book, now, atRisk));
  expect(v, describeViolations(v)).toEqual([]);
}

function commitEarliest(book: RouteBook, id: string, d: RouteDemand, now = monday) {
  const q = book.quote(now, d, horizon);
  expect(book.commit(now, id, d, q.promiseDate, horizon)).not.toBeNull();
  return q.promiseDate;
}

const heatOf = (book: RouteBook, id: string) => book.get(id)!.ops.find((op) => op.resource === 'heat')!;

describe('RouteBook.tick: time passing holds back unreleased work (design note §8.2)', () => {
  it('moves an overdue release to notBefore, keeps its queue place and pushes what waits behind it', () => {
    const book = new RouteBook('cnc', wts, [], { lookahead: 0 });
    commitEarliest(book, 'a', demand(240)); // heat Mon 06:00–10:00
    commitEarliest(book, 'b', demand(240)); // heat Mon 10:00–14:00
    expect(heatOf(book, 'a').start).toBe(m('2026-11-23T06:00:00+01:00'));
    expect(heatOf(book, 'b').start).toBe(m('2026-11-23T10:00:00+01:00'));
    const now = m('2026-11-23T08:00:00+01:00');
    expect(book.tickDue(now)).toBe(true);
    const t = book.tick(now, now + 30, horizon)!;
    expect(t.overdue).toEqual(['a']);
    expect(t.changed.map((o) => o.id)).toEqual(['a', 'b']);
    expect(heatOf(book, 'a')).toMatchObject({ start: m('2026-11-23T08:30:00+01:00'), end: m('2026-11-23T12:30:00+01:00') });
    // b keeps its place behind a on heat: its 240 minutes finish Tuesday morning (heat works 06:00–14:00).
    expect(heatOf(book, 'b')).toMatchObject({ start: m('2026-11-23T12:30:00+01:00'), end: m('2026-11-24T08:30:00+01:00') });
    expect(book.get('a')!.ready).toBe(m('2026-11-23T12:30:00+01:00'));
    expect(book.get('b')!.ready).toBe(m('2026-11-24T08:30:00+01:00'));
    expect(t.atRisk).toEqual([]);
    expect(book.get('a')!.plannedRelease).toBe(monday); // the rope instant stays: the release is overdue, not re-planned
    expectValid(book, now);
    // Nothing is overdue until notBefore.
    expect(book.tick(now + 29, now + 59, horizon)).toBeNull();
  });

  it('never holds back a released order', () => {
    const book = new RouteBook('cnc', wts, [], { lookahead: 0 });
    commitEarliest(book, 'a', demand(240));
    book.upsert({ ...book.get('a')!, released: true });
    const now = m('2026-11-23T08:00:00+01:00');
    expect(book.tickDue(now)).toBe(false);
    expect(book.tick(now, now + 30, horizon)).toBeNull();
    expect(heatOf(book, 'a').start).toBe(monday);
  });

  it('reports an order at risk when held-back work can no longer reach its promise, and delays no other drum order', () => {
    const book = new RouteBook('cnc', wts, [], { lookahead: 0 });
    const promise = commitEarliest(book, 'a', demand(960)); // two heat days: Mon–Tue
    const far = book.quote(monday, demand(60), horizon);
    expect(book.commit(monday, 'z', demand(60), '2026-12-18', horizon)).not.toBeNull();
    expect(far.promiseDate <= '2026-12-18').toBe(true);
    const before = book.get('z')!;
    const now = m('2026-11-24T13:00:00+01:00'); // Tuesday, a day and a half of heat lost
    const t = book.tick(now, now + 30, horizon)!;
    expect(t.overdue).toEqual(['a']);
    expect(t.atRisk.map((r) => r.id)).toEqual(['a']);
    const a = book.get('a')!;
    expect(a.effectiveDeadline).toBeGreaterThan(a.drumDeadline);
    expect(t.atRisk[0]!.projectedFinish).toBeGreaterThan(Date.parse(`${promise}T00:00:00+01:00`) / 60_000);
    // z's plan holds: its reservations did not move and it is not late.
    expect(book.get('z')!.ops).toEqual(before.ops);
    expect(book.plan(now).find((p) => p.id === 'z')!.late).toBe(false);
    expectValid(book, now, new Set(['a']));
  });

  it('is atomic under a checkpoint: rollback restores every plan', () => {
    const book = new RouteBook('cnc', wts, [], { lookahead: 0 });
    commitEarliest(book, 'a', demand(240));
    commitEarliest(book, 'b', demand(480));
    const now = m('2026-11-23T09:00:00+01:00');
    const before = structuredClone({ plan: book.plan(now), orders: book.orders() });
    const cp = book.checkpoint();
    expect(book.tick(now, now + 30, horizon)).not.toBeNull();
    book.rollback(cp);
    expect(structuredClone({ plan: book.plan(now), orders: book.orders() })).toEqual(before);
  });
});

/** TICK_RUNS=200 for a longer soak. */
const RUNS = Number(process.env.TICK_RUNS ?? 20);
/** The background tick's period in the service is shorter; 30 minutes keeps the test fast. */
const PERIOD = 30;

describe('RouteBook.tick on random plants (checker as oracle)', () => {
  it('ticking as time passes: no unreleased work before now, released work never pushed back, every late order reported at risk', () => {
    fc.assert(
      fc.property(
        arbPlant(),
        fc.array(fc.record({ product: fc.nat(), quantity: fc.integer({ min: 1, max: 120 }), later: fc.integer({ min: 0, max: 5 }) }), {
          minLength: 1,
          maxLength: 12,
        }),
        fc.array(fc.nat(), { maxLength: 4 }),
        fc.array(fc.integer({ min: 1, max: 2 * 1440 }), { minLength: 1, maxLength: 3 }),
        (plant, orders, releasedPicks, steps) => {
          const h = harnessOf(plant);
          const book = new RouteBook(plant.drum, h.wts, [], { lookahead: 0 });
          let now = plant.start;
          for (const [i, o] of orders.entries()) {
            const d = h.demandOf(o.product, o.quantity, null);
            let promise: string;
            try {
              promise = book.quote(now, d, h.horizon).promiseDate;
            } catch (e) {
              if (e instanceof NoCapacityError) continue;
              throw e;
            }
            const date = new Date(Date.parse(`${promise}T00:00:00Z`) + o.later * 86_400_000).toISOString().slice(0, 10);
            book.commit(now, `o${i}`, d, date, h.horizon);
          }
          const ids = book.orders().map((o) => o.id);
          for (const pick of releasedPicks) {
            const rec = book.get(ids[pick % ids.length]!)!;
            if (rec.plannedRelease !== null && rec.plannedRelease <= now) book.upsert({ ...rec, released: true });
          }
          const atRisk = new Set<string>();
          const consumed = new Set<string>();
          for (const step of steps) {
            const until = now + step;
            while (now < until) {
              now = Math.min(until, now + PERIOD);
              const released = book.orders().filter((o) => o.released);
              const t = book.tick(now, now + PERIOD, h.horizon);
              for (const r of t?.atRisk ?? []) atRisk.add(r.id);
              for (const id of t?.bufferConsumed ?? []) consumed.add(id);
              for (const before of released) {
                // Work of a released order planned to start before now is assumed started: no tick moves it.
                const after = book.get(before.id)!;
                before.ops.forEach((op, k) => {
                  if (op.start !== null && op.start < now) expect(after.ops[k]!.start, `released ${before.id}#${k}`).toBe(op.start);
                });
              }
            }
            for (const p of book.plan(now)) if (p.late) expect(atRisk.has(p.id), `${p.id} is late but was not reported`).toBe(true);
            const v = checkPlan(checkerInput(book, now, atRisk, h.checkerPlant, consumed));
            expect(v, describeViolations(v)).toEqual([]);
          }
        },
      ),
      { numRuns: RUNS },
    );
  });
});
