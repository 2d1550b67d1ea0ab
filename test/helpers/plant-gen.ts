/**
 * fast-check arbitraries for random plants and order streams (issue 12, property 1; design
 * note docs/design/whole-route.md, implementation step 1), in the input shapes of the
 * service's request schemas (spelled out below: nothing is imported from src/ but the plain
 * `Calendar` type), so they can drive the engine, the domain layer and the HTTP API alike.
 *
 * A plant: 2–6 resources with different calendars (one shift, two shifts, Mon–Thu, six
 * days, nights split at midnight, weekend nights over the DST hour; holidays, downtime,
 * overtime, extra shifts), exactly one drum, products with 0–3 operations before and after
 * the drum, and a horizon that contains a DST change (Europe/Berlin or America/New_York).
 * Horizons start on a few fixed anchors so that minute tables built with Intl are shared
 * between runs (keeps property tests fast).
 */
import fc from 'fast-check';
import type { Calendar } from '../../src/engine/calendar-types.ts';
import type { CheckerInput } from './plan-checker.ts';

type WeeklyShift = Calendar['weekly'][number];
type CalendarException = Calendar['exceptions'][number];
type Weekday = WeeklyShift['day'];

// Request bodies, spelled out here (the design note allows only the Calendar type from src/);
// test/engine/plan-checker.test.ts parses generated values with the service's zod schemas.

/** POST /v1/plants (`PlantCreate`) */
export interface PlantBody {
  id: string;
  name: string;
  timeZone: string;
}
/** PUT …/resources/{id} (`ResourcePut`) */
export interface ResourceBody {
  name: string;
  drum: boolean;
  calendar: { weekly: WeeklyShift[]; exceptions: CalendarException[] };
}
/** a routing operation of `ProductPut` */
export interface OperationBody {
  resource: string;
  setupMinutes: number;
  runMinutesPerUnit: number;
}
/** PUT …/products/{sku} (`ProductPut`) */
export interface ProductBody {
  name: string;
  routing: OperationBody[];
  productionBufferDays?: number;
  shippingBufferDays?: number;
}
/** PUT …/buffer-policy (`BufferPolicyPut`) */
export interface BufferPolicyBody {
  productionBufferDays: number;
  shippingBufferDays: number;
  standardLeadTimeDays: number;
}
/** POST …/quotes (`QuoteRequest`) */
export interface QuoteBody {
  sku: string;
  quantity: number;
  requestedDate?: string;
}
/** POST …/holds (`HoldRequest`) */
export interface HoldBody {
  sku: string;
  quantity: number;
  promiseDate?: string;
  customer?: string;
}
/** POST …/orders (`OrderCreate`) and ERP push (`ErpPush`) */
export interface OrderBody {
  sku: string;
  quantity: number;
  promiseDate: string;
  customer: string;
}

export interface RandomResource {
  id: string;
  /** PUT /v1/plants/{plant}/resources/{id} body */
  put: ResourceBody;
  /** which calendar template it was built from (for reports) */
  template: CalendarTemplate;
}

export interface RandomProduct {
  sku: string;
  /** PUT /v1/plants/{plant}/products/{sku} body */
  put: ProductBody;
  /** operations before and after the drum block */
  upstream: number;
  downstream: number;
}

export interface HorizonAnchor {
  timeZone: string;
  /** a Monday, local date: the first day of the horizon */
  firstDay: string;
  /** the DST change inside the horizon (local date, a Sunday) */
  dstChange: string;
}

/** Horizons start on these Mondays; each contains a DST change within its first two weeks. */
const ANCHORS: readonly HorizonAnchor[] = [
  { timeZone: 'Europe/Berlin', firstDay: '2026-03-23', dstChange: '2026-03-29' },
  { timeZone: 'Europe/Berlin', firstDay: '2026-10-19', dstChange: '2026-10-25' },
  { timeZone: 'America/New_York', firstDay: '2026-10-26', dstChange: '2026-11-01' },
];

/** Calendar days in a horizon (the order stream's promise dates and exceptions lie inside it). */
export const HORIZON_DAYS = 35;

export interface RandomPlant {
  /** POST /v1/plants body */
  plant: PlantBody;
  anchor: HorizonAnchor;
  resources: RandomResource[];
  drum: string;
  products: RandomProduct[];
  /** PUT /v1/plants/{plant}/buffer-policy body */
  bufferPolicy: BufferPolicyBody;
  /** the stream's first `now`: UTC minutes, a few hours into the anchor's first day */
  start: number;
}

export type CalendarTemplate = 'one-shift' | 'two-shifts' | 'mon-thu' | 'six-days' | 'nights' | 'weekend-nights';

const WEEK: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;

export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y!, m! - 1, d! + days)).toISOString().slice(0, 10);
}

function weekly(template: CalendarTemplate, shiftStart: number, shiftLength: number): WeeklyShift[] {
  const day = (days: readonly Weekday[], start: number, end: number) => days.map((d) => ({ day: d, start: hhmm(start), end: hhmm(end) }));
  const weekdays = WEEK.slice(0, 5);
  switch (template) {
    case 'one-shift':
      return day(weekdays, shiftStart, shiftStart + shiftLength);
    case 'two-shifts':
      return [
        ...day(weekdays, shiftStart, shiftStart + shiftLength),
        ...day(weekdays, shiftStart + shiftLength, shiftStart + 2 * shiftLength),
      ];
    case 'mon-thu':
      return day(WEEK.slice(0, 4), shiftStart, shiftStart + shiftLength);
    case 'six-days':
      return day(WEEK.slice(0, 6), shiftStart, shiftStart + shiftLength);
    case 'nights':
      // Mon–Fri nights 22:00–06:00, split at midnight as the service requires.
      return [...day(weekdays, 22 * 60, 24 * 60), ...day(WEEK.slice(1, 6), 0, 6 * 60)];
    case 'weekend-nights':
      // A day shift plus Saturday and Sunday nights, which cross the DST hour (02:00–03:00).
      return [...day(weekdays, shiftStart, shiftStart + shiftLength), ...day(['sat'], 20 * 60, 24 * 60), ...day(['sun'], 0, 6 * 60)];
  }
}

const arbTemplate = fc.constantFrom<CalendarTemplate>('one-shift', 'two-shifts', 'mon-thu', 'six-days', 'nights', 'weekend-nights');

function arbExceptions(anchor: HorizonAnchor): fc.Arbitrary<CalendarException[]> {
  const date = fc.integer({ min: 0, max: HORIZON_DAYS - 1 }).map((d) => addDays(anchor.firstDay, d));
  const window = fc
    .tuple(fc.integer({ min: 0, max: 22 }), fc.integer({ min: 1, max: 8 }), fc.constantFrom(0, 15, 30))
    .map(([h, len, m]) => ({ start: hhmm(h * 60 + m), end: hhmm(Math.min(24 * 60, (h + len) * 60 + m)) }));
  const exception = fc.oneof(
    date.map((d) => ({ kind: 'holiday' as const, date: d })),
    date.map((d) => ({ kind: 'downtime' as const, date: d })),
    fc.tuple(date, window).map(([d, w]) => ({ kind: 'downtime' as const, date: d, ...w })),
    fc.tuple(date, window).map(([d, w]) => ({ kind: 'overtime' as const, date: d, ...w })),
    fc.tuple(date, window).map(([d, w]) => ({ kind: 'extra_shift' as const, date: d, ...w })),
  );
  return fc.array(exception, { maxLength: 4 });
}

function arbResource(anchor: HorizonAnchor, id: string, drum: boolean): fc.Arbitrary<RandomResource> {
  return fc
    .record({
      template: drum ? fc.constantFrom<CalendarTemplate>('two-shifts', 'one-shift', 'six-days', 'weekend-nights') : arbTemplate,
      shiftStart: fc.constantFrom(5 * 60, 6 * 60, 6 * 60 + 30, 7 * 60),
      shiftLength: fc.constantFrom(7 * 60 + 30, 8 * 60),
      exceptions: arbExceptions(anchor),
    })
    .map(({ template, shiftStart, shiftLength, exceptions }) => ({
      id,
      template,
      put: { name: `Resource ${id}`, drum, calendar: { weekly: weekly(template, shiftStart, shiftLength), exceptions } },
    }));
}

function arbOperation(resource: string, scale: number) {
  return fc
    .record({ setupMinutes: fc.integer({ min: 0, max: 60 * scale }), runMinutesPerUnit: fc.integer({ min: 0, max: 10 * scale }) })
    .map((m) => ({ resource, ...m }));
}

function arbProduct(sku: string, drum: string, others: readonly string[]): fc.Arbitrary<RandomProduct> {
  const op = fc.constantFrom(...others).chain((r) => arbOperation(r, 2));
  return fc
    .record({
      up: fc.array(op, { maxLength: 3 }),
      drumOps: fc.array(arbOperation(drum, 1), { minLength: 1, maxLength: 2 }),
      down: fc.array(op, { maxLength: 3 }),
      pb: fc.option(fc.integer({ min: 2, max: 12 }), { nil: undefined }),
    })
    .map(({ up, drumOps, down, pb }) => ({
      sku,
      upstream: up.length,
      downstream: down.length,
      put: {
        name: `Product ${sku}`,
        routing: [...up, ...drumOps, ...down],
        ...(pb === undefined ? {} : { productionBufferDays: pb, shippingBufferDays: Math.ceil(pb / 2) }),
      },
    }));
}

/** A random plant: 2–6 resources, one drum, 1–4 products, a horizon with a DST change. */
export function arbPlant(options: { maxResources?: number; maxProducts?: number } = {}): fc.Arbitrary<RandomPlant> {
  return fc
    .record({
      anchor: fc.constantFrom(...ANCHORS),
      resourceCount: fc.integer({ min: 2, max: Math.min(6, options.maxResources ?? 6) }),
      productCount: fc.integer({ min: 1, max: options.maxProducts ?? 4 }),
      startMinute: fc.integer({ min: 0, max: 18 * 60 }),
    })
    .chain(({ anchor, resourceCount, productCount, startMinute }) => {
      const ids = Array.from({ length: resourceCount }, (_, i) => `r${i}`);
      return fc
        .record({
          drumIndex: fc.integer({ min: 0, max: resourceCount - 1 }),
          pb: fc.integer({ min: 2, max: 10 }),
          extraLeadTime: fc.integer({ min: 0, max: 3 }),
        })
        .chain(({ drumIndex, pb, extraLeadTime }) => {
          const drum = ids[drumIndex]!;
          const others = ids.filter((id) => id !== drum);
          return fc
            .record({
              resources: fc.tuple(...ids.map((id) => arbResource(anchor, id, id === drum))),
              products: fc.tuple(...Array.from({ length: productCount }, (_, i) => arbProduct(`P${i}`, drum, others))),
            })
            .map(({ resources, products }): RandomPlant => ({
              plant: { id: 'plant-r', name: 'Random plant', timeZone: anchor.timeZone },
              anchor,
              resources,
              drum,
              products,
              bufferPolicy: { productionBufferDays: pb, shippingBufferDays: Math.ceil(pb / 2), standardLeadTimeDays: pb + extraLeadTime },
              start: anchorStart(anchor) + startMinute,
            }));
        });
    });
}

/** UTC minute of the anchor's first local midnight (no DST change on that Monday). */
export function anchorStart(anchor: HorizonAnchor): number {
  const [y, m, d] = anchor.firstDay.split('-').map(Number);
  const wall = Date.UTC(y!, m! - 1, d!) / 60_000;
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: anchor.timeZone, timeZoneName: 'longOffset' })
    .formatToParts(new Date(wall * 60_000))
    .find((p) => p.type === 'timeZoneName')!.value; // "GMT+01:00"
  const match = /GMT([+-])(\d\d):(\d\d)/.exec(parts);
  const offset = match ? (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3])) : 0;
  return wall - offset;
}

export type StreamItem =
  | { kind: 'quote'; at: number; body: QuoteBody }
  | { kind: 'hold'; at: number; body: HoldBody; confirm: boolean }
  | { kind: 'order'; at: number; body: OrderBody }
  | { kind: 'erp'; at: number; externalId: string; body: OrderBody };

/**
 * A random order stream for a plant: quotes, holds (confirmed or left to expire), one-step
 * orders and ERP pushes, at non-decreasing minutes after `plant.start` (within the first
 * half of the horizon), promise dates inside the horizon. Up to `maxOrders` items (not
 * fast-check's default size); `at` is an offset in minutes from `plant.start`.
 */
function arbOrderStream(plant: RandomPlant, options: { minOrders?: number; maxOrders?: number } = {}): fc.Arbitrary<StreamItem[]> {
  const skus = plant.products.map((p) => p.sku);
  const firstDay = plant.anchor.firstDay;
  const item = fc
    .record({
      kind: fc.constantFrom('quote', 'hold', 'hold', 'order', 'erp'),
      gap: fc.integer({ min: 0, max: 240 }),
      sku: fc.constantFrom(...skus),
      quantity: fc.integer({ min: 1, max: 20 }),
      promiseDay: fc.integer({ min: 3, max: HORIZON_DAYS - 1 }),
      withDate: fc.boolean(),
      confirm: fc.boolean(),
      customer: fc.constantFrom('ACME GmbH', 'Globex', 'Initech'),
    })
    .map((r) => r);
  return fc.array(item, { minLength: options.minOrders ?? 0, maxLength: options.maxOrders ?? 300, size: 'max' }).map((items) => {
    let at = 0;
    return items.map((r, i): StreamItem => {
      at = Math.min(at + r.gap, (HORIZON_DAYS / 2) * 1440);
      const promiseDate = addDays(firstDay, r.promiseDay);
      switch (r.kind) {
        case 'quote':
          return { kind: 'quote', at, body: { sku: r.sku, quantity: r.quantity, ...(r.withDate ? { requestedDate: promiseDate } : {}) } };
        case 'hold':
          return {
            kind: 'hold',
            at,
            confirm: r.confirm,
            body: { sku: r.sku, quantity: r.quantity, customer: r.customer, ...(r.withDate ? { promiseDate } : {}) },
          };
        case 'order':
          return { kind: 'order', at, body: { sku: r.sku, quantity: r.quantity, promiseDate, customer: r.customer } };
        default:
          return { kind: 'erp', at, externalId: `SO-${i}`, body: { sku: r.sku, quantity: r.quantity, promiseDate, customer: r.customer } };
      }
    });
  });
}

/** A plant with its order stream. */
export function arbPlantWithStream(
  options: { maxResources?: number; maxProducts?: number; minOrders?: number; maxOrders?: number } = {},
): fc.Arbitrary<{ plant: RandomPlant; stream: StreamItem[] }> {
  return arbPlant(options).chain((plant) => arbOrderStream(plant, options).map((stream) => ({ plant, stream })));
}

/** Working minutes of one routing operation for a quantity: ⌈setup + quantity × run⌉. */
export function operationMinutes(op: { setupMinutes: number; runMinutesPerUnit: number }, quantity: number): number {
  return Math.ceil(op.setupMinutes + quantity * op.runMinutesPerUnit);
}

/** The checker's view of a random plant. */
export function checkerPlantOf(plant: RandomPlant): CheckerInput['plant'] {
  const timeZone = plant.plant.timeZone;
  return {
    timeZone,
    drum: plant.drum,
    resources: plant.resources.map((r) => ({ id: r.id, calendar: { timeZone, ...r.put.calendar } })),
  };
}
