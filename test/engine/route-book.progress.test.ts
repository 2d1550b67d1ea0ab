import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BufferPolicy } from '../../src/engine/buffer-days.ts';
import { buildWorkingTime } from '../../src/engine/calendar.ts';
import type { Calendar } from '../../src/engine/calendar-types.ts';
import { endOfLocalDate, RouteBook, type RouteDemand } from '../../src/engine/index.ts';
import { NoCapacityError } from '../../src/engine/quote.ts';
import type { WorkingTime } from '../../src/engine/working-time.ts';
import { checkPlan, describeViolations, type CheckerInput } from '../helpers/plan-checker.ts';
import { arbPlant } from '../helpers/plant-gen.ts';
import { harnessOf } from '../helpers/route-harness.ts';

// Issue 13 item 2: the floor reports progress per operation and the projection uses it. A
// report is a fact: the remaining minutes are planned from the report on (never in the past),
// what waits behind a late operation moves later in queue order, a completed operation frees
// its capacity; plans stay valid for the independent checker on every calendar.

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
const calendars = {
  heat: cal(['mon', 'tue', 'wed', 'thu'], [['06:00', '14:00']]),
  cnc: cal(
    ['mon', 'tue', 'wed', 'thu', 'fri'],
    [
      ['06:00', '14:00'],
      ['14:00', '22:00'],
    ],
  ),
  test: cal(['mon', 'tue', 'wed', 'thu', 'fri'], [['06:00', '14:00']]),
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
 * The checker's view: released orders from their rope instant, others from now; orders a fact
 * reported at risk are checked for rules 1–4 only, those whose shipping buffer it consumed
 * without rules 5 and 7 (by default: every order late on its plan or past its promised day).
 */
function checkerInput(
  book: RouteBook,
  now: number,
  plant = checkerPlant,
  facts?: { atRisk: Set<string>; consumed: Set<string> },
): CheckerInput {
  const input: CheckerInput = { now, plant, orders: [], plan: {} };
  const drumWt = book.workingTime(book.drumId);
  for (const p of book.plan(now)) {
    const rec = book.get(p.id)!;
    const planned = p.plannedRelease ?? now;
    const finish = Math.max(...p.operations.map((op) => op.end));
    input.orders.push({
      id: p.id,
      status: rec.released ? 'released' : 'confirmed',
      atRisk: facts ? facts.atRisk.has(p.id) : p.late || finish > endOfLocalDate(drumWt, rec.promiseDate),
      bufferConsumed: facts ? facts.consumed.has(p.id) : false,
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

function expectValid(book: RouteBook, now: number, plant = checkerPlant) {
  const v = checkPlan(checkerInput(book, now, plant));
  expect(v, describeViolations(v)).toEqual([]);
}

function commitEarliest(book: RouteBook, id: string, d: RouteDemand, now = monday) {
  const q = book.quote(now, d, horizon);
  expect(book.commit(now, id, d, q.promiseDate, horizon)).not.toBeNull();
  return q.promiseDate;
}

const heatOf = (book: RouteBook, id: string) => book.get(id)!.ops.find((op) => op.resource === 'heat')!;
const released = (book: RouteBook, id: string) => book.upsert({ ...book.get(id)!, released: true });

describe('RouteBook.reportOperation: progress per operation is a fact', () => {
  it('an operation behind plan is worked from the report on and pushes what waits behind it, in queue order', () => {
    const book = new RouteBook('cnc', wts, [], { lookahead: 0 });
    commitEarliest(book, 'a', demand(240)); // heat Mon 06:00–10:00
    commitEarliest(book, 'b', demand(240)); // heat Mon 10:00–14:00
    released(book, 'a');
    released(book, 'b');
    const now = m('2026-11-23T09:00:00+01:00');
    // Three hours into a's heat treatment only one hour of it is done: three hours remain, from now.
    const out = book.reportOperation(now, 'a', 0, 60, horizon);
    expect(heatOf(book, 'a')).toMatchObject({
      minutes: 180,
      start: now,
      end: m('2026-11-23T12:00:00+01:00'),
      progress: { done: 60, startedAt: now, reportedAt: now, completedAt: null },
    });
    // b keeps its place behind a: its 240 minutes now end Tuesday 08:00.
    expect(heatOf(book, 'b')).toMatchObject({ start: m('2026-11-23T12:00:00+01:00'), end: m('2026-11-24T08:00:00+01:00') });
    expect(book.get('a')!.ready).toBe(m('2026-11-23T12:00:00+01:00'));
    expect(book.get('b')!.ready).toBe(m('2026-11-24T08:00:00+01:00'));
    expect(out.changed.map((o) => o.id)).toEqual(['a', 'b']);
    expectValid(book, now);
    // A cold book from the records holds the same plans.
    const cold = new RouteBook('cnc', wts, book.orders(), { lookahead: 0 });
    expect(cold.plan(now)).toEqual(book.plan(now));
  });

  it('progress on plan or ahead of it moves nothing else; the remaining work is never planned before now', () => {
    const book = new RouteBook('cnc', wts, [], { lookahead: 0 });
    commitEarliest(book, 'a', demand(240));
    commitEarliest(book, 'b', demand(240));
    released(book, 'a');
    const bBefore = heatOf(book, 'b');
    const now = m('2026-11-23T08:00:00+01:00');
    const out = book.reportOperation(now, 'a', 0, 120, horizon); // on plan: two hours done of four
    expect(heatOf(book, 'a')).toMatchObject({ minutes: 120, start: now, end: m('2026-11-23T10:00:00+01:00') });
    expect(heatOf(book, 'b')).toEqual(bBefore);
    expect(out.changed.map((o) => o.id)).toEqual(['a']);
    // Ahead: 200 minutes done by 08:30. It ends earlier; b is not pulled ahead (no one is moved earlier).
    book.reportOperation(now + 30, 'a', 0, 200, horizon);
    expect(heatOf(book, 'a')).toMatchObject({ minutes: 40, start: now + 30, end: now + 70 });
    expect(heatOf(book, 'b')).toEqual(bBefore);
    expectValid(book, now + 30);
  });

  it('a completed operation no longer reserves capacity: a new quote can use it', () => {
    const book = new RouteBook('cnc', wts, [], { lookahead: 0 });
    commitEarliest(book, 'a', demand(480)); // heat all of Monday
    commitEarliest(book, 'b', demand(480)); // heat all of Tuesday
    released(book, 'a');
    const now = m('2026-11-23T07:00:00+01:00');
    const before = book.quote(now, demand(240), horizon);
    book.reportOperation(now, 'a', 0, 480, horizon); // finished early (done elsewhere, or faster)
    expect(heatOf(book, 'a')).toMatchObject({ minutes: 0, start: null, end: null, progress: { done: 480, completedAt: now } });
    const after = book.quote(now, demand(240), horizon);
    expect(after.ready).toBeLessThan(before.ready);
    expect(after.ready).toBe(m('2026-11-23T11:00:00+01:00'));
    expectValid(book, now);
    // Completed: no further report on it.
    expect(() => book.reportOperation(now, 'a', 0, 480, horizon)).toThrow(RangeError);
  });

  it('work started ahead of its planned start goes from now into a free stretch, moving nobody', () => {
    const book = new RouteBook('cnc', wts, [], { lookahead: 0 });
    commitEarliest(book, 'a', demand(240)); // heat Mon 06:00–10:00
    commitEarliest(book, 'b', demand(240)); // heat Mon 10:00–14:00
    released(book, 'a');
    released(book, 'b');
    const now = m('2026-11-23T07:00:00+01:00');
    book.reportOperation(now, 'a', 0, 240, horizon); // a's heat treatment is done: Monday from 07:00 is free
    const aBefore = book.get('a')!;
    // b's heat treatment started at 07:00 instead of 10:00 and has an hour done: three hours remain from now.
    const out = book.reportOperation(now, 'b', 0, 60, horizon);
    expect(heatOf(book, 'b')).toMatchObject({ minutes: 180, start: now, end: m('2026-11-23T10:00:00+01:00') });
    expect(out.changed.map((o) => o.id)).toEqual(['b']);
    expect(book.get('a')).toEqual(aBefore);
    expectValid(book, now);
  });

  it('a late upstream operation makes drum orders late: they are re-positioned and reported at risk', () => {
    const book = new RouteBook('cnc', wts, [], { lookahead: 0 });
    const promise = commitEarliest(book, 'a', demand(480));
    released(book, 'a');
    // Tuesday 13:00: nothing of Monday's heat treatment was done.
    const now = m('2026-11-24T13:00:00+01:00');
    const out = book.reportOperation(now, 'a', 0, 0, horizon);
    expect(out.atRisk.map((r) => r.id)).toEqual(['a']);
    expect(out.atRisk[0]!.projectedFinish).toBeGreaterThan(endOfLocalDate(wts.get('cnc')!, promise));
    expect(book.get('a')!.effectiveDeadline).toBeGreaterThan(book.get('a')!.drumDeadline);
    expectValid(book, now);
  });

  it('after a drum report behind plan, the work after the drum moves behind the drum finish', () => {
    const book = new RouteBook('cnc', wts, [], { lookahead: 0 });
    commitEarliest(book, 'a', demand(60));
    const test = () => book.get('a')!.ops[2]!;
    const planned = test();
    // On the drum since its planned start, pinned with 30 of its 60 minutes left well after the plan.
    const now = planned.start! + 120;
    book.upsert({ ...book.get('a')!, drumLoad: 30, pinned: true, pinRank: -1, released: true });
    const out = book.settleDrumReport(now, 'a', horizon);
    const drumEnd = book.planOf(now, 'a')!.operations[1]!.end;
    expect(test().start).toBeGreaterThanOrEqual(drumEnd);
    expect(out.changed.map((o) => o.id)).toEqual(['a']);
    // Its D̂ follows its drum finish (a pinned order is never re-positioned): the plan says where it ends, inside its
    // promised day and into its shipping buffer, which the outcome reports.
    expect(book.planOf(now, 'a')!.late).toBe(false);
    expect(out.atRisk).toEqual([]);
    expect(out.bufferConsumed).toEqual(['a']);
    const v = checkPlan(checkerInput(book, now, checkerPlant, { atRisk: new Set(), consumed: new Set(out.bufferConsumed) }));
    expect(v, describeViolations(v)).toEqual([]);
    // Nothing to move: nothing changes.
    expect(book.settleDrumReport(now, 'a', horizon).changed).toEqual([]);
  });

  it('refuses bad reports and changes nothing', () => {
    const book = new RouteBook('cnc', wts, [], { lookahead: 0 });
    commitEarliest(book, 'a', demand(240));
    book.reportOperation(monday + 60, 'a', 0, 60, horizon);
    const now = monday + 120;
    const before = structuredClone({ plan: book.plan(now), orders: book.orders() });
    for (const [id, position, done] of [
      ['a', 1, 10], // the drum: reported as drum minutes
      ['a', 7, 10],
      ['x', 0, 10],
      ['a', 0, 30], // goes back
      ['a', 0, 241], // beyond the operation's minutes
      ['a', 0, 60.5],
    ] as const)
      expect(() => book.reportOperation(now, id, position, done, horizon)).toThrow(RangeError);
    expect(structuredClone({ plan: book.plan(now), orders: book.orders() })).toEqual(before);
    // And under a checkpoint a good report is undone by rollback.
    const cp = book.checkpoint();
    book.reportOperation(now, 'a', 0, 90, horizon);
    book.rollback(cp);
    expect(structuredClone({ plan: book.plan(now), orders: book.orders() })).toEqual(before);
  });
});

/** PROGRESS_RUNS=200 for a longer soak. */
const RUNS = Number(process.env.PROGRESS_RUNS ?? 12);

describe('RouteBook.reportOperation on random plants (checker as oracle)', () => {
  it('after ticks and reports every plan is valid, orders not reported changed only behind a moved one, warm = cold', () => {
    fc.assert(
      fc.property(
        arbPlant(),
        fc.array(fc.record({ product: fc.nat(), quantity: fc.integer({ min: 1, max: 120 }), later: fc.integer({ min: 0, max: 3 }) }), {
          minLength: 1,
          maxLength: 10,
        }),
        fc.array(
          fc.record({
            after: fc.integer({ min: 0, max: 600 }),
            pick: fc.nat(),
            op: fc.nat(),
            share: fc.double({ min: 0, max: 1, noNaN: true }),
          }),
          { minLength: 1, maxLength: 5 },
        ),
        (plant, orders, reports) => {
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
          const facts = { atRisk: new Set<string>(), consumed: new Set<string>() };
          const note = (t: { atRisk: { id: string }[]; bufferConsumed: string[] } | null) => {
            for (const x of t?.atRisk ?? []) facts.atRisk.add(x.id);
            for (const id of t?.bufferConsumed ?? []) facts.consumed.add(id);
          };
          for (const r of reports) {
            now += r.after;
            note(book.tick(now, now + 30, h.horizon));
            const ids = book.orders().map((o) => o.id);
            if (ids.length === 0) return;
            const rec = book.get(ids[r.pick % ids.length]!)!;
            const open = rec.ops.filter((op) => op.resource !== plant.drum && op.progress?.completedAt == null);
            if (open.length === 0) continue;
            const op = open[r.op % open.length]!;
            if (!rec.released) book.upsert({ ...rec, released: true });
            const done = op.progress?.done ?? 0;
            const minutesDone = done + Math.floor(r.share * op.minutes);
            const before = new Map(book.orders().map((o) => [o.id, o]));
            const out = book.reportOperation(now, rec.id, op.position, minutesDone, h.horizon);
            note(out);
            const changed = new Set(out.changed.map((o) => o.id));
            for (const o of book.orders()) if (!changed.has(o.id)) expect(o, o.id).toEqual(before.get(o.id));
            // Other orders only move later: no reservation of theirs starts earlier, except the work
            // after the drum of an order whose D̂ the tick lowered: it comes back, but never before
            // the new D̂ nor before now.
            for (const o of out.changed) {
              if (o.id === rec.id) continue;
              const wasDhat = before.get(o.id)!.effectiveDeadline;
              const dHat = o.effectiveDeadline ?? o.drumDeadline;
              const recovered = wasDhat !== undefined && dHat < wasDhat;
              const drumAt = o.ops.findIndex((x) => x.resource === plant.drum);
              o.ops.forEach((x, k) => {
                const was = before.get(o.id)!.ops[k]!;
                if (x.start === null || was.start === null) return;
                if (recovered && k > drumAt)
                  expect(x.start, `${o.id} op ${k}`).toBeGreaterThanOrEqual(Math.min(was.start, Math.max(dHat, now)));
                else expect(x.start, `${o.id} op ${k}`).toBeGreaterThanOrEqual(was.start);
              });
            }
            // Every order late on its plan was reported at risk by the fact that made it late.
            for (const p of book.plan(now)) if (p.late) expect(facts.atRisk.has(p.id), `${p.id} late, not reported`).toBe(true);
            const v = checkPlan(checkerInput(book, now, h.checkerPlant, facts));
            expect(v, describeViolations(v)).toEqual([]);
          }
          const cold = new RouteBook(plant.drum, h.wts, book.orders(), { lookahead: 0 });
          expect(cold.plan(now)).toEqual(book.plan(now));
        },
      ),
      { numRuns: RUNS },
    );
  });
});
