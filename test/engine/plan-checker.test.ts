import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BufferPolicyPut, PlantCreate, ProductPut, ResourcePut } from '../../src/schemas/master-data.ts';
import { ErpPush, HoldRequest, OrderCreate, QuoteRequest } from '../../src/schemas/promising.ts';
import {
  atRiskLateness,
  checkPlan,
  endOfLocalDate,
  expectValidPlan,
  startOfLocalDate,
  type CheckerInput,
  type CheckerOrder,
  type CheckerPlannedOp,
  type CheckerViolation,
} from '../helpers/plan-checker.ts';
import {
  anchorStart,
  arbPlant,
  arbPlantWithStream,
  checkerPlantOf,
  HORIZON_DAYS,
  operationMinutes,
  type RandomPlant,
  type StreamItem,
} from '../helpers/plant-gen.ts';
import { buildOracle, type Oracle } from './calendar-oracle.ts';

/** UTC minutes of an ISO instant written with its local offset. */
const m = (iso: string) => Date.parse(iso) / 60_000;
type Rule = CheckerViolation['rule'];
const rulesOf = (input: CheckerInput) => [...new Set(checkPlan(input).map((v) => v.rule))].sort();
const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri'] as const;
const BERLIN = 'Europe/Berlin';

// ---------------------------------------------------------------------------------------
// A hand-made plant in Europe/Berlin (UTC+1 in November):
// saw: two shifts Mon–Fri 06:00–14:00 and 14:00–22:00;
// cnc (drum): one shift Mon–Fri 06:00–14:00, holiday Wed 2026-11-25 (so Wed is no working day);
// oven: nights Mon–Fri 22:00–06:00, split at midnight as the service stores them.

const plant: CheckerInput['plant'] = {
  timeZone: BERLIN,
  drum: 'cnc',
  resources: [
    {
      id: 'saw',
      calendar: {
        timeZone: BERLIN,
        weekly: weekdays.flatMap((day) => [
          { day, start: '06:00', end: '14:00' },
          { day, start: '14:00', end: '22:00' },
        ]),
        exceptions: [],
      },
    },
    {
      id: 'cnc',
      calendar: {
        timeZone: BERLIN,
        weekly: weekdays.map((day) => ({ day, start: '06:00', end: '14:00' })),
        exceptions: [{ kind: 'holiday', date: '2026-11-25' }],
      },
    },
    {
      id: 'oven',
      calendar: {
        timeZone: BERLIN,
        weekly: [
          ...weekdays.map((day) => ({ day, start: '22:00', end: '24:00' })),
          ...(['tue', 'wed', 'thu', 'fri', 'sat'] as const).map((day) => ({ day, start: '00:00', end: '06:00' })),
        ],
        exceptions: [],
      },
    },
  ],
};

const now = m('2026-11-23T06:00:00+01:00'); // Monday
const ops = (...list: [string, number][]) => list.map(([resource, minutes], i) => ({ position: i + 1, resource, minutes }));
const iv = (position: number, resource: string, start: string, end: string): CheckerPlannedOp => ({
  position,
  resource,
  start: m(start),
  end: m(end),
});

/**
 * o1: saw 120 Mon 06:00–08:00, cnc 480 Mon 08:00 – Tue 08:00, oven 420 over midnight Tue 22:00 – Wed 05:00.
 * Promised Fri 27 with SB = 1: S = the end of Thu 26 (Wed is no working day of the drum).
 */
const o1: CheckerOrder = {
  id: 'o1',
  status: 'confirmed',
  atRisk: false,
  bufferConsumed: false,
  promise: '2026-11-27',
  shippingBufferDays: 1,
  materialAvailable: null,
  release: now,
  operations: ops(['saw', 120], ['cnc', 480], ['oven', 420]),
};
const o1Plan = [
  iv(1, 'saw', '2026-11-23T06:00:00+01:00', '2026-11-23T08:00:00+01:00'),
  iv(2, 'cnc', '2026-11-23T08:00:00+01:00', '2026-11-24T08:00:00+01:00'),
  iv(3, 'oven', '2026-11-24T22:00:00+01:00', '2026-11-25T05:00:00+01:00'),
];

/** o2: saw 600 over the shift change (Mon 08:00–18:00), cnc 600 over the holiday (Tue 08:00 – Thu 10:00); promised Thu 26, SB = 0. */
const o2: CheckerOrder = {
  id: 'o2',
  status: 'held',
  atRisk: false,
  bufferConsumed: false,
  promise: '2026-11-26',
  shippingBufferDays: 0,
  materialAvailable: m('2026-11-23T00:00:00+01:00'),
  release: m('2026-11-23T08:00:00+01:00'),
  operations: ops(['saw', 600], ['cnc', 600]),
};
const o2Plan = [
  iv(1, 'saw', '2026-11-23T08:00:00+01:00', '2026-11-23T18:00:00+01:00'),
  iv(2, 'cnc', '2026-11-24T08:00:00+01:00', '2026-11-26T10:00:00+01:00'),
];

/** o3: released before now (allowed for a released order); cnc Thu 10:00–11:00, oven night Thu–Fri; promised Mon 30, SB = 1 (S = end of Fri 27). */
const o3: CheckerOrder = {
  id: 'o3',
  status: 'released',
  atRisk: false,
  bufferConsumed: false,
  promise: '2026-11-30',
  shippingBufferDays: 1,
  materialAvailable: null,
  release: m('2026-11-20T09:00:00+01:00'),
  operations: ops(['cnc', 60], ['oven', 480]),
};
const o3Plan = [
  iv(1, 'cnc', '2026-11-26T10:00:00+01:00', '2026-11-26T11:00:00+01:00'),
  iv(2, 'oven', '2026-11-26T22:00:00+01:00', '2026-11-27T06:00:00+01:00'),
];

function base(): CheckerInput {
  return { plant, now, orders: [o1, o2, o3], plan: { o1: o1Plan, o2: o2Plan, o3: o3Plan } };
}

/** The base input with some order fields or planned intervals (by order id and op index) replaced. */
function edit(change: {
  orders?: Record<string, Partial<CheckerOrder>>;
  ops?: Record<string, Record<number, Partial<CheckerPlannedOp>>>;
  now?: number;
}): CheckerInput {
  const b = base();
  return {
    ...b,
    now: change.now ?? b.now,
    orders: b.orders.map((o) => ({ ...o, ...change.orders?.[o.id] })),
    plan: Object.fromEntries(Object.entries(b.plan).map(([id, list]) => [id, list.map((op, i) => ({ ...op, ...change.ops?.[id]?.[i] }))])),
  };
}
const at = (iso: string) => m(iso);

describe('plan checker on a hand-made plant (two shifts, nights over midnight, a holiday)', () => {
  it('accepts a valid plan', () => {
    expect(checkPlan(base())).toEqual([]);
    expectValidPlan(base(), { tight: true });
    expect(atRiskLateness(base())).toEqual([]);
  });

  it('end of a promised day is the next local midnight, from Intl', () => {
    expect(endOfLocalDate(BERLIN, '2026-11-25')).toBe(m('2026-11-25T23:00:00Z'));
    expect(endOfLocalDate(BERLIN, '2026-03-29')).toBe(m('2026-03-29T22:00:00Z')); // a 23-hour day
    expect(endOfLocalDate(BERLIN, '2026-10-25')).toBe(m('2026-10-25T23:00:00Z')); // a 25-hour day
    expect(endOfLocalDate('America/New_York', '2026-11-01')).toBe(m('2026-11-02T05:00:00Z'));
    expect(endOfLocalDate('Asia/Tokyo', '2026-12-31')).toBe(m('2026-12-31T15:00:00Z'));
    // America/Santiago skips local midnight when DST starts (2026-09-06 00:00 → 01:00).
    expect(endOfLocalDate('America/Santiago', '2026-09-05')).toBe(m('2026-09-06T04:00:00Z'));
  });

  it('rule 1: one working minute short, or one too many, over a holiday and over midnight', () => {
    expect(rulesOf(edit({ ops: { o1: { 1: { end: at('2026-11-24T07:59:00+01:00') } } } }))).toEqual([1]);
    // cnc does not work on the holiday: Tue 08:00 – Wed 10:00 holds only 360 of the 600
    const v = checkPlan(edit({ ops: { o2: { 1: { end: at('2026-11-25T10:00:00+01:00') } } } }));
    expect(v.map((x) => [x.rule, x.orderId, x.position])).toEqual([[1, 'o2', 2]]);
    expect(v[0]!.detail).toContain('holds 360 working minutes');
    // the night shift crosses midnight: one minute more than the 420
    expect(rulesOf(edit({ ops: { o1: { 2: { start: at('2026-11-24T21:59:00+01:00'), end: at('2026-11-25T05:01:00+01:00') } } } }))).toEqual(
      [1],
    );
  });

  it('rule 1: the plan must match the operations (entries, positions, resources, whole minutes)', () => {
    const b = base();
    const { o1: _o1, ...rest } = b.plan;
    expect(checkPlan({ ...b, plan: rest })).toEqual([{ rule: 1, orderId: 'o1', detail: 'no published plan' }]);
    expect(rulesOf({ ...b, plan: { ...b.plan, o1: o1Plan.slice(0, 2) } })).toEqual([1]);
    expect(rulesOf(edit({ ops: { o1: { 0: { resource: 'cnc' } } } }))).toEqual([1]);
    expect(rulesOf(edit({ ops: { o1: { 0: { position: 2 } } } }))).toEqual([1]);
    expect(rulesOf(edit({ ops: { o1: { 0: { start: now + 0.5 } } } }))).toEqual([1]);
    expect(rulesOf({ ...b, plan: { ...b.plan, ghost: [] } })).toEqual([1]);
    expect(rulesOf({ ...b, plant: { ...plant, drum: 'lathe' } })).toEqual([1]);
    expect(() => expectValidPlan({ ...b, plan: rest })).toThrow(/rule 1, order o1: no published plan/);
  });

  it('rule 1: an interval padded with non-working time is valid; `tight` reports it', () => {
    // oven op published from Tue 14:00 (the oven is idle until 22:00): the same 420 working minutes
    const padded = edit({ ops: { o1: { 2: { start: at('2026-11-24T14:00:00+01:00') } } } });
    expect(checkPlan(padded)).toEqual([]);
    expect(checkPlan(padded, { tight: true }).map((v) => v.rule)).toEqual([1]);
  });

  it('rule 2: an operation that starts one minute before the previous one ends', () => {
    // cnc a minute earlier: still 480 working minutes (ending Tue 07:59), but the saw ends Mon 08:00
    const input = edit({ ops: { o1: { 1: { start: at('2026-11-23T07:59:00+01:00'), end: at('2026-11-24T07:59:00+01:00') } } } });
    expect(checkPlan(input).map((x) => [x.rule, x.orderId, x.position])).toEqual([[2, 'o1', 2]]);
  });

  it('rule 3: first start before release, release before material, an unreleased release before now', () => {
    expect(rulesOf(edit({ orders: { o1: { release: now + 1 } } }))).toEqual([3]);
    expect(rulesOf(edit({ orders: { o2: { materialAvailable: m('2026-11-23T08:01:00+01:00') } } }))).toEqual([3]);
    // o1 is confirmed (not released) with its release at now: one minute later "now" breaks it
    expect(rulesOf(edit({ now: now + 1 }))).toEqual([3]);
    // a released or running order may have been released before now
    expect(rulesOf(edit({ orders: { o1: { status: 'released' } }, now: now + 1 }))).toEqual([]);
    expect(rulesOf(edit({ orders: { o1: { status: 'in_progress' } }, now: now + 1 }))).toEqual([]);
    expect(rulesOf(edit({ orders: { o3: { status: 'held' } } }))).toEqual([3]);
  });

  it('rule 4: two orders on one resource for one minute, named both ways', () => {
    // o2's cnc op a minute earlier: still 600 minutes, overlapping o1's by one
    const input = edit({ ops: { o2: { 1: { start: at('2026-11-24T07:59:00+01:00'), end: at('2026-11-26T09:59:00+01:00') } } } });
    const v = checkPlan(input);
    expect(v.map((x) => [x.rule, x.orderId, x.position, x.otherOrderId])).toEqual([[4, 'o2', 2, 'o1']]);
    // o3's cnc op an hour earlier (Thu 09:00–10:00) overlaps o2's last hour
    expect(rulesOf(edit({ ops: { o3: { 0: { start: at('2026-11-26T09:00:00+01:00'), end: at('2026-11-26T10:00:00+01:00') } } } }))).toEqual(
      [4],
    );
    // intervals that share only non-working time do not overlap: o3's cnc published from Wed 00:00 (holiday)
    expect(rulesOf(edit({ ops: { o3: { 0: { start: at('2026-11-26T10:00:00+01:00') } } } }))).toEqual([]);
  });

  it('rule 4: also between two operations of one order', () => {
    const b = base();
    const o4: CheckerOrder = { ...o3, id: 'o4', operations: ops(['saw', 60], ['saw', 60]) };
    const plan = {
      ...b.plan,
      o4: [
        iv(1, 'saw', '2026-11-24T10:00:00+01:00', '2026-11-24T11:00:00+01:00'),
        iv(2, 'saw', '2026-11-24T10:30:00+01:00', '2026-11-24T11:30:00+01:00'),
      ],
    };
    expect(rulesOf({ ...b, orders: [...b.orders, o4], plan })).toEqual([2, 4]);
  });

  it('rule 5: the drum op ends after S (then rule 7 too: rule 5 is implied by rules 2 and 7)', () => {
    // o2 promised Thu 26 with SB = 1: S = the end of Tue 24 (Wed is a holiday), the drum ends Thu 10:00
    const v = checkPlan(edit({ orders: { o2: { shippingBufferDays: 1 } } }));
    expect(v.map((x) => [x.rule, x.orderId, x.position])).toEqual([
      [5, 'o2', 2],
      [7, 'o2', 2],
    ]);
    expect(v[0]!.detail).toContain('S = 2026-11-24T23:00Z');
  });

  it('rule 7: the last op ends after S; a non-working promise day counts as the working day before it', () => {
    // o1 promised Thu 26 with SB = 1: S = the end of Tue 24, the oven ends Wed 05:00
    expect(rulesOf(edit({ orders: { o1: { promise: '2026-11-26' } } }))).toEqual([7]);
    // promised Wed 25 (the drum's holiday) with SB = 0: S = the end of Tue 24 as well
    expect(rulesOf(edit({ orders: { o1: { promise: '2026-11-25', shippingBufferDays: 0 } } }))).toEqual([7]);
    // promised Thu 26 with SB = 0: S = the end of Thu 26
    expect(rulesOf(edit({ orders: { o1: { promise: '2026-11-26', shippingBufferDays: 0 } } }))).toEqual([]);
    // bufferConsumed waives rules 5 and 7
    expect(rulesOf(edit({ orders: { o1: { promise: '2026-11-26', bufferConsumed: true } } }))).toEqual([]);
  });

  it('rule 6: the last op ends after the end of the promised day', () => {
    expect(rulesOf(edit({ orders: { o1: { promise: '2026-11-24', shippingBufferDays: 0 } } }))).toEqual([6, 7]);
    expect(rulesOf(edit({ orders: { o1: { promise: '2026-11-24', bufferConsumed: true } } }))).toEqual([6]);
  });

  it('at-risk orders: rules 1–4 only, with their projected lateness', () => {
    const late = edit({ orders: { o2: { atRisk: true, promise: '2026-11-25' } } });
    expect(checkPlan(late)).toEqual([]);
    expect(atRiskLateness(late)).toEqual([
      {
        orderId: 'o2',
        projectedFinish: m('2026-11-26T10:00:00+01:00'),
        due: m('2026-11-26T00:00:00+01:00'),
        shipReadyBy: m('2026-11-25T00:00:00+01:00'),
        lateByMinutes: 600,
        shipReadyLateByMinutes: 34 * 60,
      },
    ]);
    // but still on calendar, in routing order, after release and without overlaps
    const worse = edit({
      orders: { o2: { atRisk: true } },
      ops: { o2: { 1: { start: at('2026-11-24T07:59:00+01:00'), end: at('2026-11-26T09:59:00+01:00') } } },
    });
    expect(rulesOf(worse)).toEqual([4]);
    expect(rulesOf(edit({ orders: { o1: { atRisk: true, release: now + 1 } } }))).toEqual([3]);
  });
});

// ---------------------------------------------------------------------------------------
// DST: Europe/Berlin springs forward on Sun 2026-03-29 (02:00 → 03:00) and falls back on
// Sun 2026-10-25 (03:00 → 02:00). The drum works a weekend night Sat 22:00 – Sun 06:00:
// 7 hours in March, 9 in October (02:00–03:00 twice). Packing works an extra Sunday evening
// shift 18:00–24:00 and Monday 00:00–06:00. Working days of the drum: Saturdays and Sundays.

function dstInput(
  spring: boolean,
  o: Partial<{ nightMinutes: number; drumEnd: number; packStart: number; packEnd: number; promise: string; sb: number }> = {},
): CheckerInput {
  const sat = spring ? '2026-03-28' : '2026-10-24';
  const sun = spring ? '2026-03-29' : '2026-10-25';
  const cal = (
    weekly: { day: 'sat' | 'sun' | 'mon'; start: string; end: string }[],
    exceptions: CheckerInput['plant']['resources'][number]['calendar']['exceptions'] = [],
  ) => ({
    timeZone: BERLIN,
    weekly,
    exceptions,
  });
  // spring: Sat 22:00 CET = 21:00Z, Sun 06:00 CEST = 04:00Z, Sun 18:00 CEST = 16:00Z, end of Sun = 22:00Z
  // autumn: Sat 22:00 CEST = 20:00Z, Sun 06:00 CET = 05:00Z, Sun 18:00 CET = 17:00Z, end of Sun = 23:00Z
  const z = (iso: string) => m(iso);
  return {
    now: z(`${sat}T12:00:00Z`),
    plant: {
      timeZone: BERLIN,
      drum: 'night',
      resources: [
        {
          id: 'night',
          calendar: cal([
            { day: 'sat', start: '22:00', end: '24:00' },
            { day: 'sun', start: '00:00', end: '06:00' },
          ]),
        },
        {
          id: 'pack',
          calendar: cal([{ day: 'mon', start: '00:00', end: '06:00' }], [{ kind: 'extra_shift', date: sun, start: '18:00', end: '24:00' }]),
        },
      ],
    },
    orders: [
      {
        id: 'n1',
        status: 'confirmed',
        atRisk: false,
        bufferConsumed: false,
        promise: o.promise ?? sun,
        shippingBufferDays: o.sb ?? 0,
        materialAvailable: null,
        release: z(spring ? `${sat}T21:00:00Z` : `${sat}T20:00:00Z`),
        operations: ops(['night', o.nightMinutes ?? (spring ? 420 : 540)], ['pack', 360]),
      },
    ],
    plan: {
      n1: [
        {
          position: 1,
          resource: 'night',
          start: z(spring ? `${sat}T21:00:00Z` : `${sat}T20:00:00Z`),
          end: o.drumEnd ?? z(spring ? `${sun}T04:00:00Z` : `${sun}T05:00:00Z`),
        },
        {
          position: 2,
          resource: 'pack',
          start: o.packStart ?? z(spring ? `${sun}T16:00:00Z` : `${sun}T17:00:00Z`),
          end: o.packEnd ?? z(spring ? `${sun}T22:00:00Z` : `${sun}T23:00:00Z`),
        },
      ],
    },
  };
}

describe('plan checker across DST changes (Europe/Berlin)', () => {
  it('spring: a 23-hour day; 420 night minutes end Sun 06:00 CEST; ending at the end of the promised day is on time', () => {
    expectValidPlan(dstInput(true), { tight: true });
    // a clock that ignored the change would plan 480 minutes until 05:00Z: the night holds only 420
    const v = checkPlan(dstInput(true, { nightMinutes: 480, drumEnd: m('2026-03-29T05:00:00Z') }));
    expect(v.map((x) => x.rule)).toEqual([1]);
    expect(v[0]!.detail).toContain('holds 420 working minutes');
  });

  it('spring: one minute after the end of the 23-hour day breaks rules 6 and 7', () => {
    const late = { packStart: m('2026-03-29T16:01:00Z'), packEnd: m('2026-03-29T22:01:00Z') };
    expect(rulesOf(dstInput(true, late))).toEqual([6, 7]);
    // promised Monday (not a drum working day): E = end of Monday, S = end of Sunday
    expect(rulesOf(dstInput(true, { ...late, promise: '2026-03-30' }))).toEqual([7]);
    // SB = 1 working day before Sunday is Saturday: S = end of Saturday, the drum ends Sunday
    expect(rulesOf(dstInput(true, { sb: 1 }))).toEqual([5, 7]);
  });

  it('autumn: the repeated hour is worked twice (9 night hours)', () => {
    expectValidPlan(dstInput(false), { tight: true });
    const v = checkPlan(dstInput(false, { nightMinutes: 480 }));
    expect(v.map((x) => x.rule)).toEqual([1]);
    expect(v[0]!.detail).toContain('holds 540 working minutes');
  });

  it('autumn: a 25-hour day ends at 23:00Z; one minute later is late', () => {
    expect(rulesOf(dstInput(false, { packStart: m('2026-10-25T17:01:00Z'), packEnd: m('2026-10-25T23:01:00Z') }))).toEqual([6, 7]);
  });
});

// ---------------------------------------------------------------------------------------
// Random valid plans, built by a naive list scheduler that walks the calendar oracle
// (test/engine/calendar-oracle.ts, another evaluator than the checker's) minute by minute,
// and one-minute perturbations judged by a brute force on sets of working minutes and
// local dates.

const oracles = new Map<string, Oracle>();
function oracleFor(p: RandomPlant, resource: string): Oracle {
  const r = p.resources.find((x) => x.id === resource)!;
  const key = `${p.anchor.timeZone}|${p.anchor.firstDay}|${JSON.stringify(r.put.calendar)}`;
  let o = oracles.get(key);
  if (!o) {
    o = buildOracle(
      { timeZone: p.plant.timeZone, ...r.put.calendar },
      { zone: p.plant.timeZone, from: anchorStart(p.anchor) - 4 * 1440, length: (HORIZON_DAYS + 30) * 1440 },
    );
    oracles.set(key, o);
  }
  return o;
}

interface Built {
  random: RandomPlant;
  input: CheckerInput;
}

interface Knobs {
  releaseDelay: number;
  pad: boolean;
  tight: boolean;
  slackDays: number;
  sb: number;
  status: CheckerOrder['status'];
  atRisk: boolean;
  bufferConsumed: boolean;
  material: boolean;
}

const arbKnobs: fc.Arbitrary<Knobs> = fc.record({
  releaseDelay: fc.integer({ min: 0, max: 3 * 1440 }),
  pad: fc.boolean(),
  tight: fc.boolean(),
  slackDays: fc.integer({ min: 0, max: 2 }),
  sb: fc.integer({ min: 0, max: 3 }),
  status: fc.constantFrom<CheckerOrder['status']>('held', 'confirmed', 'released', 'in_progress'),
  atRisk: fc.integer({ min: 0, max: 6 }).map((x) => x === 0),
  bufferConsumed: fc.integer({ min: 0, max: 6 }).map((x) => x === 0),
  material: fc.boolean(),
});

const addDays = (date: string, days: number) => {
  const [y, mo, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y!, mo! - 1, d! + days)).toISOString().slice(0, 10);
};

/** Brute force: the working day `sb` working days before `promise` (a non-working promise counts as the one before). */
function workingDayBefore(drum: Oracle, promise: string, sb: number): string {
  let d = promise;
  for (let guard = 0; !drum.isWorkingDay(d) && guard < 400; guard++) d = addDays(d, -1);
  for (let left = sb, guard = 0; left > 0 && guard < 400; guard++) {
    d = addDays(d, -1);
    if (drum.isWorkingDay(d)) left--;
  }
  return d;
}

/** The promise whose S is the end of the first drum working day on or after `date`, plus `sb` working days. */
function promiseFor(drum: Oracle, date: string, sb: number): string {
  let d = date;
  for (let guard = 0; !drum.isWorkingDay(d) && guard < 400; guard++) d = addDays(d, 1);
  for (let left = sb, guard = 0; left > 0 && guard < 400; guard++) {
    d = addDays(d, 1);
    if (drum.isWorkingDay(d)) left--;
  }
  return d;
}

/** Naive list scheduler: orders in stream order, each op at the first working minute after its predecessor and after the resource's last op. */
function buildPlan(random: RandomPlant, stream: StreamItem[], knobs: Knobs[]): Built {
  const now = random.start;
  const free = new Map<string, number>();
  const orders: CheckerOrder[] = [];
  const plan: CheckerInput['plan'] = {};
  const drum = oracleFor(random, random.drum);
  stream.forEach((item, i) => {
    if (item.kind === 'quote') return;
    const k = knobs[i % knobs.length]!;
    const product = random.products.find((p) => p.sku === item.body.sku)!;
    const released = k.status === 'released' || k.status === 'in_progress';
    const release = released ? now - k.releaseDelay : now + k.releaseDelay;
    let t = release;
    const planned: CheckerPlannedOp[] = [];
    const operations = product.put.routing.map((op, n) => ({
      position: n + 1,
      resource: op.resource,
      minutes: operationMinutes(op, item.body.quantity),
    }));
    const nextFree = new Map(free);
    for (const op of operations) {
      const o = oracleFor(random, op.resource);
      const from = Math.max(t, nextFree.get(op.resource) ?? -Infinity);
      let start = from;
      let end = from;
      if (op.minutes > 0) {
        while (start < o.window.from + o.window.length && !o.working(start)) start++;
        const e = o.addWorkingMinutes(start, op.minutes);
        if (e === undefined) return; // beyond the horizon: not planned
        end = e;
        nextFree.set(op.resource, end);
      }
      planned.push({ position: op.position, resource: op.resource, start: k.pad && op.minutes > 0 ? from : start, end });
      t = end;
    }
    const lastEnd = planned.length > 0 ? planned[planned.length - 1]!.end : release;
    // keep promises and working-day searches well inside the oracle's window
    if (lastEnd > anchorStart(random.anchor) + (HORIZON_DAYS + 5) * 1440) return;
    for (const [r, f] of nextFree) free.set(r, f);
    const finishDay = drum.localDateOf(lastEnd - 1);
    let promise: string;
    let sb = k.sb;
    if (k.atRisk) promise = addDays(finishDay, -1 - k.slackDays);
    else if (k.bufferConsumed) {
      promise = addDays(finishDay, k.tight ? 0 : k.slackDays);
      sb = 3;
    } else promise = addDays(promiseFor(drum, finishDay, sb), k.tight ? 0 : k.slackDays);
    orders.push({
      id: `o${i}`,
      status: k.status,
      atRisk: k.atRisk,
      bufferConsumed: k.bufferConsumed && !k.atRisk,
      promise,
      shippingBufferDays: sb,
      materialAvailable: k.material ? release - (k.tight ? 0 : k.releaseDelay) : null,
      release,
      operations,
    });
    plan[`o${i}`] = planned;
  });
  return { random, input: { plant: checkerPlantOf(random), orders, plan, now } };
}

/** The rules a plan breaks, by brute force on sets of working minutes and local dates (oracle, not the checker). */
function bruteForceRules(b: Built): Set<Rule> {
  const rules = new Set<Rule>();
  const busy = new Map<string, Set<number>>();
  const drum = oracleFor(b.random, b.random.drum);
  for (const order of b.input.orders) {
    const planned = b.input.plan[order.id]!;
    const spans = planned.map((op, i) => {
      const o = oracleFor(b.random, op.resource);
      const minutes: number[] = [];
      for (let t = op.start; t < op.end; t++) if (o.working(t)) minutes.push(t);
      if (minutes.length !== order.operations[i]!.minutes) rules.add(1);
      const taken = busy.get(op.resource) ?? new Set<number>();
      busy.set(op.resource, taken);
      for (const t of minutes) {
        if (taken.has(t)) rules.add(4);
        taken.add(t);
      }
      // the last minute worked (or, for an op without work, the minute before its point)
      return order.operations[i]!.minutes > 0 && minutes.length > 0
        ? { first: minutes[0]!, last: minutes[minutes.length - 1]! }
        : { first: op.start, last: op.start - 1 };
    });
    for (let i = 0; i + 1 < spans.length; i++) if (spans[i]!.last >= spans[i + 1]!.first) rules.add(2);
    if (spans.length > 0 && spans[0]!.first < order.release) rules.add(3);
    if (order.materialAvailable !== null && order.release < order.materialAvailable) rules.add(3);
    if ((order.status === 'held' || order.status === 'confirmed') && order.release < b.input.now) rules.add(3);
    if (order.atRisk || spans.length === 0) continue;
    const lastDay = drum.localDateOf(spans[spans.length - 1]!.last);
    const shipDay = workingDayBefore(drum, order.promise, order.shippingBufferDays);
    if (lastDay > order.promise) rules.add(6);
    if (order.bufferConsumed) continue;
    if (lastDay > shipDay) rules.add(7);
    const drumSpans = spans.filter((_, i) => planned[i]!.resource === b.random.drum);
    if (drumSpans.length > 0 && drum.localDateOf(drumSpans[drumSpans.length - 1]!.last) > shipDay) rules.add(5);
  }
  return rules;
}

const arbBuilt = arbPlantWithStream({ maxOrders: 40 }).chain(({ plant: random, stream }) =>
  fc.array(arbKnobs, { minLength: 1, maxLength: 8 }).map((knobs) => buildPlan(random, stream, knobs)),
);

/** PLAN_CHECKER_RUNS=500 for a long soak; the default keeps CI fast. */
const RUNS = { numRuns: Number(process.env.PLAN_CHECKER_RUNS ?? 25) };

describe('plan checker in a zone whose DST change falls inside a UTC hour', () => {
  it('Australia/Lord_Howe springs forward 30 minutes at 02:00 (15:30Z): a 1410-minute day', () => {
    const zone = 'Australia/Lord_Howe';
    const all = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
    const calendar = { timeZone: zone, weekly: all.map((day) => ({ day, start: '00:00', end: '24:00' })), exceptions: [] };
    const s = startOfLocalDate(zone, '2026-10-04');
    const e = endOfLocalDate(zone, '2026-10-04');
    expect([s, e]).toEqual([m('2026-10-03T13:30:00Z'), m('2026-10-04T13:00:00Z')]);
    expect(buildOracle(calendar, { zone, from: s - 1440, length: 3 * 1440 }).count(s, e)).toBe(1410);
    const input = (minutes: number, start = s, end = e): CheckerInput => ({
      now: s,
      plant: { timeZone: zone, drum: 'all', resources: [{ id: 'all', calendar }] },
      orders: [
        {
          id: 'x',
          status: 'confirmed',
          atRisk: false,
          bufferConsumed: false,
          promise: '2026-10-04',
          shippingBufferDays: 0,
          materialAvailable: null,
          release: s,
          operations: [{ position: 1, resource: 'all', minutes }],
        },
      ],
      plan: { x: [{ position: 1, resource: 'all', start, end }] },
    });
    expectValidPlan(input(1410), { tight: true });
    expect(rulesOf(input(1411))).toEqual([1]);
    // 01:00–03:00 local holds 90 minutes (02:00–02:30 does not exist)
    expectValidPlan(input(90, m('2026-10-03T14:30:00Z'), m('2026-10-03T16:00:00Z')));
    expect(rulesOf(input(90, m('2026-10-03T14:30:00Z'), m('2026-10-04T13:01:00Z')))).toEqual([1, 5, 6, 7]);
  });
});

describe('plan checker on random plants (fast-check)', () => {
  it('the checker counts the working minutes the calendar oracle counts, over whole horizons', () => {
    fc.assert(
      fc.property(arbPlant(), fc.array(fc.tuple(fc.nat(), fc.nat({ max: 20 * 1440 })), { minLength: 1, maxLength: 3 }), (random, spans) => {
        const from0 = anchorStart(random.anchor) - 2 * 1440;
        for (const r of random.resources) {
          const o = oracleFor(random, r.id);
          for (const [a, len] of spans) {
            const start = from0 + (a % (HORIZON_DAYS * 1440));
            const minutes = o.count(start, start + len);
            const order: CheckerOrder = {
              id: 'x',
              status: 'released',
              atRisk: true,
              bufferConsumed: false,
              promise: '2026-01-01',
              shippingBufferDays: 0,
              materialAvailable: null,
              release: start,
              operations: [{ position: 1, resource: r.id, minutes }],
            };
            const input: CheckerInput = {
              plant: checkerPlantOf(random),
              now: start,
              orders: [order],
              plan: { x: [{ position: 1, resource: r.id, start, end: start + len }] },
            };
            expect(checkPlan(input)).toEqual([]);
            const off = { ...input, orders: [{ ...order, operations: [{ position: 1, resource: r.id, minutes: minutes + 1 }] }] };
            expect(checkPlan(off).map((v) => v.rule)).toEqual([1]);
          }
        }
      }),
      { numRuns: 10 },
    );
  });

  it('accepts every plan of the naive list scheduler, and reports at-risk lateness', () => {
    fc.assert(
      fc.property(arbBuilt, (b) => {
        expect(bruteForceRules(b)).toEqual(new Set());
        expectValidPlan(b.input);
        const risky = b.input.orders.filter((o) => o.atRisk);
        const lateness = atRiskLateness(b.input);
        expect(lateness.map((r) => r.orderId)).toEqual(risky.map((o) => o.id));
        for (const r of lateness) expect(r.lateByMinutes).toBeGreaterThan(0);
      }),
      RUNS,
    );
  });

  it('a one-minute perturbation of one interval is caught exactly when it breaks a rule', () => {
    let broken = 0;
    let tried = 0;
    const kinds = ['start-1', 'start+1', 'end-1', 'end+1', 'shift-1', 'shift+1'] as const;
    fc.assert(
      fc.property(
        arbBuilt.filter((b) => Object.values(b.input.plan).some((list) => list.length > 0)),
        fc.array(fc.tuple(fc.nat(), fc.constantFrom(...kinds)), { minLength: 1, maxLength: 4 }),
        (b, picks) => {
          const candidates = b.input.orders.flatMap((o) => o.operations.flatMap((op, k) => (op.minutes > 0 ? [[o.id, k] as const] : [])));
          if (candidates.length === 0) return;
          for (const [a, kind] of picks) {
            const [id, k] = candidates[a % candidates.length]!;
            const op = b.input.plan[id]![k]!;
            const s = op.start;
            const e = op.end;
            const [ns, ne]: readonly [number, number] =
              kind === 'start-1'
                ? [s - 1, e]
                : kind === 'start+1'
                  ? [s + 1, e]
                  : kind === 'end-1'
                    ? [s, e - 1]
                    : kind === 'end+1'
                      ? [s, e + 1]
                      : kind === 'shift-1'
                        ? [s - 1, e - 1]
                        : [s + 1, e + 1];
            if (ne < ns) continue;
            const plan = { ...b.input.plan, [id]: b.input.plan[id]!.map((x, j) => (j === k ? { ...x, start: ns, end: ne } : x)) };
            const perturbed: Built = { ...b, input: { ...b.input, plan } };
            const expected = [...bruteForceRules(perturbed)].sort();
            const got = [...new Set(checkPlan(perturbed.input).map((v) => v.rule))].sort();
            expect({ kind, got }).toEqual({ kind, got: expected });
            tried++;
            if (expected.length > 0) broken++;
          }
        },
      ),
      RUNS,
    );
    // not vacuous: many one-minute perturbations do break a rule
    expect(broken).toBeGreaterThan(tried / 4);
  });
});

describe('random plant generators', () => {
  it('plants and streams have the service schemas’ shapes, one drum, 2–6 resources, a drum block per product', () => {
    fc.assert(
      fc.property(arbPlantWithStream({ maxOrders: 300 }), ({ plant: p, stream }) => {
        PlantCreate.parse(p.plant);
        BufferPolicyPut.parse(p.bufferPolicy);
        expect(p.resources.length).toBeGreaterThanOrEqual(2);
        expect(p.resources.length).toBeLessThanOrEqual(6);
        expect(p.resources.filter((r) => r.put.drum).map((r) => r.id)).toEqual([p.drum]);
        for (const r of p.resources) ResourcePut.parse(r.put);
        for (const prod of p.products) {
          ProductPut.parse(prod.put);
          const onDrum = prod.put.routing.map((op) => op.resource === p.drum);
          const first = onDrum.indexOf(true);
          const last = onDrum.lastIndexOf(true);
          expect(first).toBe(prod.upstream);
          expect(prod.put.routing.length - 1 - last).toBe(prod.downstream);
          expect(onDrum.slice(first, last + 1).every(Boolean)).toBe(true);
          expect(prod.upstream).toBeLessThanOrEqual(3);
          expect(prod.downstream).toBeLessThanOrEqual(3);
        }
        let at = 0;
        for (const item of stream) {
          expect(item.at).toBeGreaterThanOrEqual(at);
          at = item.at;
          ({ quote: QuoteRequest, hold: HoldRequest, order: OrderCreate, erp: ErpPush })[item.kind].parse(item.body);
        }
      }),
      { numRuns: 30 },
    );
  });

  it('covers the cases the issue names: DST in the horizon, several calendars, long streams', () => {
    const samples = fc.sample(arbPlantWithStream({ maxOrders: 300 }), { numRuns: 60, seed: 12 });
    const templates = new Set(samples.flatMap((s) => s.plant.resources.map((r) => r.template)));
    expect([...templates].sort()).toEqual(['mon-thu', 'nights', 'one-shift', 'six-days', 'two-shifts', 'weekend-nights']);
    expect(new Set(samples.map((s) => s.plant.anchor.timeZone)).size).toBe(2);
    expect(Math.max(...samples.map((s) => s.stream.length))).toBeGreaterThan(200);
    expect(samples.some((s) => s.plant.products.some((p) => p.upstream > 0 && p.downstream > 0))).toBe(true);
    const kinds = new Set(samples.flatMap((s) => s.plant.resources.flatMap((r) => r.put.calendar.exceptions.map((e) => e.kind))));
    expect([...kinds].sort()).toEqual(['downtime', 'extra_shift', 'holiday', 'overtime']);
    // the DST change lies inside the horizon, and the horizon starts before it
    for (const s of samples) {
      const change = endOfLocalDate(s.plant.plant.timeZone, s.plant.anchor.dstChange);
      expect(s.plant.start).toBeLessThan(change);
      expect(change - s.plant.start).toBeLessThan(HORIZON_DAYS * 1440);
    }
    expect(arbPlant).toBeTypeOf('function');
  });
});
