import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BufferPolicyPut, PlantCreate, ProductPut, ResourcePut } from '../../src/schemas/master-data.ts';
import { ErpPush, HoldRequest, OrderCreate, QuoteRequest } from '../../src/schemas/promising.ts';
import {
  checkPlan,
  endOfLocalDate,
  expectValidPlan,
  type CheckerOrder,
  type CheckerPlant,
  type PlanCheckInput,
  type PlanRule,
  type PlannedOperation,
  type PublishedPlan,
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
} from '../helpers/random-plant.ts';
import { buildOracle, type Oracle } from './calendar-oracle.ts';

/** UTC minutes of an ISO instant written with its local offset. */
const m = (iso: string) => Date.parse(iso) / 60_000;
const rulesOf = (input: PlanCheckInput) => [...new Set(checkPlan(input).violations.map((v) => v.rule))].sort();
const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri'] as const;

// ---------------------------------------------------------------------------------------
// A hand-made plant in Europe/Berlin (UTC+1 in November):
// saw: two shifts Mon–Fri 06:00–14:00 and 14:00–22:00;
// cnc (drum): one shift Mon–Fri 06:00–14:00, holiday Wed 2026-11-25;
// oven: nights Mon–Fri 22:00–06:00, split at midnight as the service stores them.

const plant: CheckerPlant = {
  timeZone: 'Europe/Berlin',
  resources: [
    {
      id: 'saw',
      drum: false,
      calendar: {
        weekly: weekdays.flatMap((day) => [
          { day, start: '06:00', end: '14:00' },
          { day, start: '14:00', end: '22:00' },
        ]),
        exceptions: [],
      },
    },
    {
      id: 'cnc',
      drum: true,
      calendar: {
        weekly: weekdays.map((day) => ({ day, start: '06:00', end: '14:00' })),
        exceptions: [{ kind: 'holiday', date: '2026-11-25' }],
      },
    },
    {
      id: 'oven',
      drum: false,
      calendar: {
        weekly: [
          ...weekdays.map((day) => ({ day, start: '22:00', end: '24:00' })),
          ...(['tue', 'wed', 'thu', 'fri', 'sat'] as const).map((day) => ({ day, start: '00:00', end: '06:00' })),
        ],
        exceptions: [],
      },
    },
  ],
};

const now = '2026-11-23T06:00:00+01:00'; // Monday

/** o1: saw 120 Mon 06:00–08:00, cnc 480 Mon 08:00 – Tue 08:00, oven 420 over midnight Tue 22:00 – Wed 05:00. */
const o1: CheckerOrder = {
  id: 'o1',
  status: 'confirmed',
  routing: [
    { resource: 'saw', minutes: 120 },
    { resource: 'cnc', minutes: 480 },
    { resource: 'oven', minutes: 420 },
  ],
  release: now,
  promiseDate: '2026-11-25',
  shippingBufferDays: 1,
  drumDeadline: '2026-11-24T14:00:00+01:00',
};
const o1Plan: PlannedOperation[] = [
  { position: 1, resource: 'saw', minutes: 120, start: '2026-11-23T06:00:00+01:00', end: '2026-11-23T08:00:00+01:00' },
  { position: 2, resource: 'cnc', minutes: 480, start: '2026-11-23T08:00:00+01:00', end: '2026-11-24T08:00:00+01:00' },
  { position: 3, resource: 'oven', minutes: 420, start: '2026-11-24T22:00:00+01:00', end: '2026-11-25T05:00:00+01:00' },
];

/** o2: saw 600 over the shift change (Mon 08:00–18:00), cnc 600 over the holiday (Tue 08:00 – Thu 10:00), tight drum deadline. */
const o2: CheckerOrder = {
  id: 'o2',
  status: 'held',
  routing: [
    { resource: 'saw', minutes: 600 },
    { resource: 'cnc', minutes: 600 },
  ],
  release: '2026-11-23T08:00:00+01:00',
  materialAvailableDate: '2026-11-23',
  promiseDate: '2026-11-26',
  drumDeadline: '2026-11-26T10:00:00+01:00',
};
const o2Plan: PlannedOperation[] = [
  { position: 1, resource: 'saw', minutes: 600, start: '2026-11-23T08:00:00+01:00', end: '2026-11-23T18:00:00+01:00' },
  { position: 2, resource: 'cnc', minutes: 600, start: '2026-11-24T08:00:00+01:00', end: '2026-11-26T10:00:00+01:00' },
];

/** o3: released before now (allowed for a released order), one oven night Thu–Fri. */
const o3: CheckerOrder = {
  id: 'o3',
  status: 'released',
  routing: [
    { resource: 'cnc', minutes: 60 },
    { resource: 'oven', minutes: 480 },
  ],
  release: '2026-11-20T09:00:00+01:00',
  promiseDate: '2026-11-27',
  drumDeadline: '2026-11-26T14:00:00+01:00',
};
const o3Plan: PlannedOperation[] = [
  { resource: 'cnc', start: m('2026-11-26T10:00:00+01:00'), end: m('2026-11-26T11:00:00+01:00') },
  { resource: 'oven', start: m('2026-11-26T22:00:00+01:00'), end: m('2026-11-27T06:00:00+01:00') },
];

function base(): PlanCheckInput {
  return {
    plant,
    now,
    orders: [o1, o2, o3],
    plans: [
      { orderId: 'o1', operations: o1Plan },
      { orderId: 'o2', operations: o2Plan },
      { orderId: 'o3', operations: o3Plan },
    ],
  };
}

/** The base input with some fields replaced (plans per order id, operation index → fields). */
function edit(change: {
  orders?: Record<string, Partial<CheckerOrder>>;
  ops?: Record<string, Record<number, Partial<PlannedOperation>>>;
  now?: string;
}): PlanCheckInput {
  const b = base();
  return {
    ...b,
    now: change.now ?? b.now,
    orders: b.orders.map((o) => ({ ...o, ...change.orders?.[o.id] })),
    plans: b.plans.map((p) => ({
      ...p,
      operations: p.operations.map((op, i) => ({ ...op, ...change.ops?.[p.orderId]?.[i] })),
    })),
  };
}

describe('plan checker on a hand-made plant (two shifts, nights over midnight, a holiday)', () => {
  it('accepts a valid plan, with ISO instants and UTC minutes alike', () => {
    expect(checkPlan(base())).toEqual({ violations: [], atRisk: [] });
    expectValidPlan({ ...base(), options: { tight: true } });
  });

  it('end of a promised day is the next local midnight, from Intl', () => {
    expect(endOfLocalDate('Europe/Berlin', '2026-11-25')).toBe(m('2026-11-25T23:00:00Z'));
    expect(endOfLocalDate('Europe/Berlin', '2026-03-29')).toBe(m('2026-03-29T22:00:00Z')); // a 23-hour day
    expect(endOfLocalDate('Europe/Berlin', '2026-10-25')).toBe(m('2026-10-25T23:00:00Z')); // a 25-hour day
    expect(endOfLocalDate('America/New_York', '2026-11-01')).toBe(m('2026-11-02T05:00:00Z'));
    expect(endOfLocalDate('Asia/Tokyo', '2026-12-31')).toBe(m('2026-12-31T15:00:00Z'));
    // America/Santiago skips local midnight when DST starts (2026-09-06 00:00 → 01:00).
    expect(endOfLocalDate('America/Santiago', '2026-09-05')).toBe(m('2026-09-06T04:00:00Z'));
  });

  it('(1) on-calendar: one working minute short, or a minute too many, is caught', () => {
    expect(rulesOf(edit({ ops: { o1: { 1: { end: '2026-11-24T07:59:00+01:00' } } } }))).toEqual(['on-calendar']);
    // cnc does not work on the holiday: 600 minutes Tue 08:00 – Wed 10:00 would hold only 360.
    const v = checkPlan(edit({ ops: { o2: { 1: { end: '2026-11-25T10:00:00+01:00' } } } })).violations;
    expect(v.map((x) => [x.order, x.operation, x.rule])).toEqual([['o2', 1, 'on-calendar']]);
    expect(v[0]!.message).toContain('holds 360 working minutes');
    // the night shift crosses midnight: one minute more than the 420
    expect(rulesOf(edit({ ops: { o1: { 2: { start: '2026-11-24T21:59:00+01:00', end: '2026-11-25T05:01:00+01:00' } } } }))).toEqual([
      'on-calendar',
    ]);
  });

  it('(1) an interval padded with non-working time is valid; `tight` reports it', () => {
    // oven op published from Tue 14:00 (the oven is idle until 22:00): same 420 working minutes
    const padded = edit({ ops: { o1: { 2: { start: '2026-11-24T14:00:00+01:00' } } } });
    expect(checkPlan(padded).violations).toEqual([]);
    expect(rulesOf({ ...padded, options: { tight: true } })).toEqual(['on-calendar']);
  });

  it('(2) routing-order: an operation that starts one minute before the previous one ends', () => {
    // cnc starts a minute earlier (still 480 working minutes, ending Tue 07:59) while the saw ends 08:00
    const input = edit({ ops: { o1: { 1: { start: '2026-11-23T07:59:00+01:00', end: '2026-11-24T07:59:00+01:00' } } } });
    const v = checkPlan(input).violations;
    expect(v.map((x) => [x.order, x.operation, x.rule])).toEqual([['o1', 1, 'routing-order']]);
  });

  it('(3) release: first start before release, release before material, unreleased release before now', () => {
    expect(rulesOf(edit({ orders: { o1: { release: '2026-11-23T06:01:00+01:00' } } }))).toEqual(['release']);
    expect(rulesOf(edit({ orders: { o2: { materialAvailableDate: '2026-11-24' } } }))).toEqual(['release']);
    expect(rulesOf(edit({ orders: { o2: { materialAvailableDate: '2026-11-23T07:01:00Z' } } }))).toEqual(['release']);
    // o1 is confirmed (not released) with its release at now: one minute later "now" breaks it
    expect(rulesOf(edit({ now: '2026-11-23T06:01:00+01:00' }))).toEqual(['release']);
    // a released order may have been released before now
    expect(rulesOf(edit({ orders: { o1: { status: 'released' } }, now: '2026-11-23T06:01:00+01:00' }))).toEqual([]);
    expect(rulesOf(edit({ orders: { o3: { status: 'confirmed' } } }))).toEqual(['release']);
  });

  it('(4) no-overlap: two orders on one resource for one minute', () => {
    // o2's cnc op starts a minute earlier and ends a minute earlier: still 600 minutes, overlaps o1 by one
    const input = edit({ ops: { o2: { 1: { start: '2026-11-24T07:59:00+01:00', end: '2026-11-26T09:59:00+01:00' } } } });
    const v = checkPlan(input).violations;
    expect(v.map((x) => [x.order, x.operation, x.rule])).toEqual([['o2', 1, 'no-overlap']]);
    expect(v[0]!.message).toContain('order o1 operation 1');
    // non-working time shared by padded intervals is no overlap: o3's cnc published from Thu 06:00... no:
    // o2 ends Thu 10:00, o3's cnc published from Wed 14:00 (padded over the holiday) overlaps it in working time
    expect(rulesOf(edit({ ops: { o3: { 0: { start: m('2026-11-26T09:00:00+01:00'), end: m('2026-11-26T10:00:00+01:00') } } } }))).toEqual([
      'no-overlap',
    ]);
  });

  it('(4) also between two operations of one order', () => {
    const order: CheckerOrder = {
      ...o3,
      id: 'o4',
      routing: [
        { resource: 'saw', minutes: 60 },
        { resource: 'saw', minutes: 60 },
      ],
    };
    const input = base();
    const plans: PublishedPlan[] = [
      ...input.plans,
      {
        orderId: 'o4',
        operations: [
          { resource: 'saw', start: '2026-11-24T10:00:00+01:00', end: '2026-11-24T11:00:00+01:00' },
          { resource: 'saw', start: '2026-11-24T10:30:00+01:00', end: '2026-11-24T11:30:00+01:00' },
        ],
      },
    ];
    expect(rulesOf({ ...input, orders: [...input.orders, order], plans })).toEqual(['no-overlap', 'routing-order']);
  });

  it('(5) drum-deadline: the drum finishes one minute after the drum deadline', () => {
    const v = checkPlan(edit({ orders: { o2: { drumDeadline: '2026-11-26T09:59:00+01:00' } } })).violations;
    expect(v.map((x) => [x.order, x.operation, x.rule])).toEqual([['o2', 1, 'drum-deadline']]);
  });

  it('(6) promise-date: the last operation after the end of the promised day', () => {
    expect(rulesOf(edit({ orders: { o1: { promiseDate: '2026-11-24' } } }))).toEqual(['promise-date']);
    // o3's oven ends Fri 06:00: promised Thu is a break, Fri is fine
    expect(rulesOf(edit({ orders: { o3: { promiseDate: '2026-11-26' } } }))).toEqual(['promise-date']);
  });

  it('at-risk orders: rules 1–4 only, with their lateness', () => {
    const late = edit({ orders: { o2: { atRisk: true, drumDeadline: '2026-11-25T14:00:00+01:00', promiseDate: '2026-11-25' } } });
    const result = checkPlan(late);
    expect(result.violations).toEqual([]);
    expect(result.atRisk).toEqual([
      {
        order: 'o2',
        projectedFinish: m('2026-11-26T10:00:00+01:00'),
        due: m('2026-11-26T00:00:00+01:00'),
        lateByMinutes: 600,
        drumFinish: m('2026-11-26T10:00:00+01:00'),
        drumDeadline: m('2026-11-25T14:00:00+01:00'),
        drumLateByMinutes: 20 * 60,
      },
    ]);
    // but still on calendar, in routing order and without overlaps
    const worse = edit({
      orders: { o2: { atRisk: true } },
      ops: { o2: { 1: { start: '2026-11-24T07:59:00+01:00', end: '2026-11-26T09:59:00+01:00' } } },
    });
    expect(rulesOf(worse)).toEqual(['no-overlap']);
  });

  it('shape: a missing plan, a wrong resource, wrong minutes, a bad instant', () => {
    const b = base();
    expect(rulesOf({ ...b, plans: b.plans.slice(1) })).toEqual(['shape']);
    expect(rulesOf(edit({ ops: { o1: { 0: { resource: 'cnc' } } } }))).toEqual(['shape']);
    expect(rulesOf(edit({ ops: { o1: { 0: { minutes: 121 } } } }))).toEqual(['shape']);
    expect(rulesOf(edit({ ops: { o1: { 0: { start: '2026-11-23T06:00:30+01:00' } } } }))).toEqual(['shape']);
    expect(rulesOf(edit({ ops: { o1: { 0: { start: 'tomorrow' } } } }))).toEqual(['shape']);
    expect(() => expectValidPlan({ ...b, plans: b.plans.slice(1) })).toThrow(/\[shape\] order o1: no published plan/);
  });
});

// ---------------------------------------------------------------------------------------
// DST: Europe/Berlin springs forward on Sun 2026-03-29 (02:00 → 03:00) and falls back on
// Sun 2026-10-25 (03:00 → 02:00). A weekend night shift Sat 22:00 – Sun 06:00 has 7 hours in
// March, 9 in October; an extra Sunday evening shift ends exactly at the end of the day.

function dstPlant(extraSunday: string): CheckerPlant {
  return {
    timeZone: 'Europe/Berlin',
    resources: [
      {
        id: 'night',
        drum: true,
        calendar: {
          weekly: [
            { day: 'sat', start: '22:00', end: '24:00' },
            { day: 'sun', start: '00:00', end: '06:00' },
          ],
          exceptions: [],
        },
      },
      {
        id: 'pack',
        drum: false,
        calendar: {
          weekly: [{ day: 'mon', start: '00:00', end: '06:00' }],
          exceptions: [{ kind: 'extra_shift', date: extraSunday, start: '18:00', end: '24:00' }],
        },
      },
    ],
  };
}

function dstInput(spring: boolean, drumEnd: string, packStart: string, packEnd: string, promiseDate: string): PlanCheckInput {
  const sat = spring ? '2026-03-28' : '2026-10-24';
  const sun = spring ? '2026-03-29' : '2026-10-25';
  const order: CheckerOrder = {
    id: 'n1',
    status: 'confirmed',
    routing: [
      { resource: 'night', minutes: spring ? 420 : 540 },
      { resource: 'pack', minutes: 360 },
    ],
    release: `${sat}T21:00:00Z`,
    promiseDate,
    drumDeadline: drumEnd,
  };
  return {
    plant: dstPlant(sun),
    now: `${sat}T12:00:00Z`,
    orders: [order],
    plans: [
      {
        orderId: 'n1',
        operations: [
          { resource: 'night', start: `${sat}T21:00:00Z`, end: drumEnd },
          { resource: 'pack', start: packStart, end: packEnd },
        ],
      },
    ],
  };
}

describe('plan checker across DST changes (Europe/Berlin)', () => {
  // Spring: Sat 22:00 CET = 21:00Z; Sun 06:00 CEST = 04:00Z; Sun 18:00 CEST = 16:00Z; end of Sun = 22:00Z.
  const spring = (o: Partial<Record<'drumEnd' | 'packStart' | 'packEnd' | 'promise', string>> = {}) =>
    dstInput(
      true,
      o.drumEnd ?? '2026-03-29T04:00:00Z',
      o.packStart ?? '2026-03-29T16:00:00Z',
      o.packEnd ?? '2026-03-29T22:00:00Z',
      o.promise ?? '2026-03-29',
    );
  // Autumn: Sat 22:00 CEST = 20:00Z... the release at 21:00Z is Sat 23:00 local; the night holds
  // Sat 23:00–24:00 (60) and Sun 00:00–06:00 (7 hours: 420) = 480 by Sun 06:00 CET = 05:00Z.
  const autumn = (o: Partial<Record<'drumEnd' | 'packStart' | 'packEnd' | 'promise', string>> = {}) =>
    dstInput(
      false,
      o.drumEnd ?? '2026-10-25T05:00:00Z',
      o.packStart ?? '2026-10-25T17:00:00Z',
      o.packEnd ?? '2026-10-25T23:00:00Z',
      o.promise ?? '2026-10-25',
    );

  it('spring: a 23-hour day; 420 night minutes end Sun 06:00 CEST; finishing at the end of the day is on time', () => {
    expectValidPlan({ ...spring(), options: { tight: true } });
    // a clock that ignored the change would plan 480 minutes until 05:00Z: the night holds only 420
    const naive = spring({ drumEnd: '2026-03-29T05:00:00Z' });
    const v = checkPlan({
      ...naive,
      orders: [{ ...naive.orders[0]!, routing: [{ resource: 'night', minutes: 480 }, naive.orders[0]!.routing[1]!] }],
    }).violations;
    expect(v.map((x) => x.rule)).toEqual(['on-calendar']);
    expect(v[0]!.message).toContain('holds 420 working minutes');
  });

  it('spring: one minute after the end of the 23-hour day is late (pack works Mon 00:00 too)', () => {
    expect(rulesOf(spring({ packStart: '2026-03-29T16:01:00Z', packEnd: '2026-03-29T22:01:00Z' }))).toEqual(['promise-date']);
    expect(rulesOf(spring({ packStart: '2026-03-29T16:01:00Z', packEnd: '2026-03-29T22:01:00Z', promise: '2026-03-30' }))).toEqual([]);
  });

  it('autumn: the repeated hour is worked twice (60 + 420 = 480 minutes, not 540)', () => {
    const input = autumn();
    const bad = checkPlan(input).violations;
    expect(bad.map((v) => v.rule)).toEqual(['on-calendar']);
    expect(bad[0]!.message).toContain('holds 480 working minutes');
    const fixed = {
      ...input,
      orders: [{ ...input.orders[0]!, routing: [{ resource: 'night', minutes: 480 }, input.orders[0]!.routing[1]!] }],
    };
    expectValidPlan({ ...fixed, options: { tight: true } });
  });

  it('autumn: a 25-hour day ends at 23:00Z; one minute later is late', () => {
    const input = autumn({ packStart: '2026-10-25T17:01:00Z', packEnd: '2026-10-25T23:01:00Z' });
    const fixed = {
      ...input,
      orders: [{ ...input.orders[0]!, routing: [{ resource: 'night', minutes: 480 }, input.orders[0]!.routing[1]!] }],
    };
    expect(rulesOf(fixed)).toEqual(['promise-date']);
  });

  it('drum deadline across the change', () => {
    const input = spring();
    expect(rulesOf({ ...input, orders: [{ ...input.orders[0]!, drumDeadline: '2026-03-29T03:59:00Z' }] })).toEqual(['drum-deadline']);
  });
});

// ---------------------------------------------------------------------------------------
// Random valid plans, built by walking the calendar oracle minute by minute (another
// evaluator than the checker's), and one-minute perturbations judged by a brute force on
// sets of working minutes.

const oracles = new Map<string, Oracle>();
function oracleFor(p: RandomPlant, resource: string): Oracle {
  const key = `${p.anchor.timeZone}|${p.anchor.firstDay}|${JSON.stringify(p.resources.find((r) => r.id === resource)!.put.calendar)}`;
  let o = oracles.get(key);
  if (!o) {
    const r = p.resources.find((x) => x.id === resource)!;
    o = buildOracle(
      { timeZone: p.plant.timeZone, weekly: r.put.calendar.weekly, exceptions: r.put.calendar.exceptions },
      { zone: p.plant.timeZone, from: anchorStart(p.anchor) - 4 * 1440, length: (HORIZON_DAYS + 14) * 1440 },
    );
    oracles.set(key, o);
  }
  return o;
}

interface Built {
  random: RandomPlant;
  input: PlanCheckInput;
  oracles: Map<string, Oracle>;
}

interface Knobs {
  releaseDelay: number;
  pad: boolean;
  tightDeadline: boolean;
  slackDays: number;
  status: CheckerOrder['status'];
  atRisk: boolean;
  iso: boolean;
  material: boolean;
}

const arbKnobs: fc.Arbitrary<Knobs> = fc.record({
  releaseDelay: fc.integer({ min: 0, max: 3 * 1440 }),
  pad: fc.boolean(),
  tightDeadline: fc.boolean(),
  slackDays: fc.integer({ min: 0, max: 2 }),
  status: fc.constantFrom<CheckerOrder['status']>('held', 'confirmed', 'released', 'in_progress'),
  atRisk: fc.integer({ min: 0, max: 6 }).map((x) => x === 0),
  iso: fc.boolean(),
  material: fc.boolean(),
});

/** Greedy plan: orders in stream order, each op at the first working minute after its predecessor and the resource's last op. */
function buildPlan(random: RandomPlant, stream: StreamItem[], knobs: Knobs[]): Built {
  const now = random.start;
  const free = new Map<string, number>();
  const orders: CheckerOrder[] = [];
  const plans: PublishedPlan[] = [];
  const used = new Map<string, Oracle>();
  const orc = (r: string) => {
    const o = oracleFor(random, r);
    used.set(r, o);
    return o;
  };
  const drumOracle = orc(random.drum);
  stream.forEach((item, i) => {
    if (item.kind === 'quote') return;
    const k = knobs[i % knobs.length]!;
    const product = random.products.find((p) => p.sku === item.body.sku)!;
    const released = k.status === 'released' || k.status === 'in_progress';
    const release = released ? now - k.releaseDelay : now + k.releaseDelay;
    let t = release;
    const ops: PlannedOperation[] = [];
    const routing = product.put.routing.map((op) => ({ resource: op.resource, minutes: operationMinutes(op, item.body.quantity) }));
    const nextFree = new Map(free);
    for (const op of routing) {
      const o = orc(op.resource);
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
      const published = k.pad && op.minutes > 0 ? from : start;
      ops.push({ resource: op.resource, minutes: op.minutes, start: k.iso ? iso(published) : published, end: k.iso ? iso(end) : end });
      t = end;
    }
    for (const [r, f] of nextFree) free.set(r, f);
    const drumEnds = ops.filter((op) => op.resource === random.drum).map((op) => num(op.end));
    const drumEnd = Math.max(...drumEnds);
    const lastEnd = ops.length > 0 ? num(ops[ops.length - 1]!.end) : release;
    const finishDay = drumOracle.localDateOf(lastEnd - 1);
    const id = `o${i}`;
    orders.push({
      id,
      status: k.status,
      atRisk: k.atRisk,
      routing,
      release: k.iso ? iso(release) : release,
      ...(k.material ? { materialAvailableDate: drumOracle.localDateOf(release) } : {}),
      promiseDate: k.atRisk ? addLocalDays(finishDay, -1 - k.slackDays) : addLocalDays(finishDay, k.tightDeadline ? 0 : k.slackDays),
      drumDeadline: k.atRisk ? drumEnd - 1 - k.slackDays * 60 : k.tightDeadline ? drumEnd : drumEnd + k.slackDays * 1440,
    });
    plans.push({ orderId: id, operations: ops });
  });
  return { random, oracles: used, input: { plant: checkerPlantOf(random), orders, plans, now } };
}

const iso = (t: number) => new Date(t * 60_000).toISOString();
const num = (t: number | string) => (typeof t === 'number' ? t : Date.parse(t) / 60_000);
function addLocalDays(date: string, days: number): string {
  const [y, mo, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y!, mo! - 1, d! + days)).toISOString().slice(0, 10);
}

/** The rules a plan breaks, by brute force on sets of working minutes (oracle, not the checker). */
function bruteForceRules(b: Built): Set<PlanRule> {
  const rules = new Set<PlanRule>();
  const nowMinute = num(b.input.now);
  const busy = new Map<string, Map<number, string>>();
  for (const order of b.input.orders) {
    const ops = b.input.plans.find((p) => p.orderId === order.id)!.operations;
    const spans = ops.map((op, i) => {
      const o = b.oracles.get(op.resource)!;
      const minutes: number[] = [];
      for (let t = num(op.start); t < num(op.end); t++) if (o.working(t)) minutes.push(t);
      if (minutes.length !== order.routing[i]!.minutes) rules.add('on-calendar');
      const taken = busy.get(op.resource) ?? new Map<number, string>();
      busy.set(op.resource, taken);
      for (const t of minutes) {
        if (taken.has(t)) rules.add('no-overlap');
        taken.set(t, order.id);
      }
      return order.routing[i]!.minutes > 0 && minutes.length > 0
        ? { first: minutes[0]!, last: minutes[minutes.length - 1]!, point: false }
        : { first: num(op.start), last: num(op.start) - 1, point: true };
    });
    for (let i = 0; i + 1 < spans.length; i++) if (spans[i]!.last + 1 > spans[i + 1]!.first) rules.add('routing-order');
    const release = num(order.release);
    if (spans.length > 0 && spans[0]!.first < release) rules.add('release');
    if ((order.status === 'held' || order.status === 'confirmed') && release < nowMinute) rules.add('release');
    if (order.atRisk) continue;
    const drum = b.random.drum;
    ops.forEach((op, i) => {
      if (op.resource === drum && spans[i]!.last + 1 > num(order.drumDeadline)) rules.add('drum-deadline');
    });
    const last = spans[spans.length - 1];
    if (last && !last.point && b.oracles.get(ops[ops.length - 1]!.resource)!.localDateOf(last.last) > order.promiseDate) {
      rules.add('promise-date');
    }
  }
  return rules;
}

const arbBuilt = arbPlantWithStream({ maxOrders: 40 }).chain(({ plant: random, stream }) =>
  fc.array(arbKnobs, { minLength: 1, maxLength: 8 }).map((knobs) => buildPlan(random, stream, knobs)),
);

const RUNS = { numRuns: Number(process.env.PLAN_CHECKER_RUNS ?? 25) };

describe('plan checker on random plants (fast-check)', () => {
  it('accepts every plan built by walking the calendar oracle, and reports at-risk lateness', () => {
    fc.assert(
      fc.property(arbBuilt, (b) => {
        expect(bruteForceRules(b)).toEqual(new Set());
        const result = expectValidPlan(b.input);
        const risky = b.input.orders.filter((o) => o.atRisk);
        expect(result.atRisk.map((r) => r.order)).toEqual(risky.map((o) => o.id));
        for (const r of result.atRisk) expect(r.drumLateByMinutes).toBeGreaterThan(0);
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
        arbBuilt.filter((b) => b.input.plans.some((p) => p.operations.some((op) => (op.minutes ?? 0) > 0))),
        fc.array(fc.tuple(fc.nat(), fc.nat(), fc.constantFrom(...kinds)), { minLength: 1, maxLength: 4 }),
        (b, picks) => {
          const candidates = b.input.plans.flatMap((p, pi) =>
            p.operations.flatMap((op, oi) => ((op.minutes ?? 0) > 0 ? [[pi, oi] as const] : [])),
          );
          for (const [a, , kind] of picks) {
            const [pi, oi] = candidates[a % candidates.length]!;
            const op = b.input.plans[pi]!.operations[oi]!;
            const s = num(op.start);
            const e = num(op.end);
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
            const plans = b.input.plans.map((p, i) =>
              i === pi ? { ...p, operations: p.operations.map((x, j) => (j === oi ? { ...x, start: ns, end: ne } : x)) } : p,
            );
            const perturbed: Built = { ...b, input: { ...b.input, plans } };
            const expected = bruteForceRules(perturbed);
            const got = new Set(checkPlan(perturbed.input).violations.map((v) => v.rule));
            expect({ kind, got: [...got].sort() }).toEqual({ kind, got: [...expected].sort() });
            tried++;
            if (expected.size > 0) broken++;
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
