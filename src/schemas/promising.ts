import { z } from 'zod';
import { EVENT_SCHEMAS } from '../domain/schedule/event-types.ts';
import { code, isoInstant, localDate, principal, slug, text } from './common.ts';
import { AT_RISK_REASONS } from '../planning-rules/at-risk.ts';

const quantity = z.number().int().positive().meta({ example: 20, description: 'Units; a positive integer up to the configured maximum.' });
const customer = text.min(1).max(200).meta({ example: 'ACME GmbH' });
// "." and ".." are dot segments: URL clients remove them, so such an order could never be read by its id.
const externalId = text
  .min(1)
  .max(200)
  .refine((v) => !/^\.+$/.test(v), 'An external id of dots only cannot be used in a URL path')
  .meta({ example: 'SO-2026-0042' });
const customerId = text
  .min(1)
  .max(100)
  .meta({ example: 'C-10042', description: "The ERP's customer number, beside the free-text name: hand-overs by customer use it." });
const materialAvailableDate = localDate.optional().meta({
  description:
    "The plant-local date the order's material arrives: the order is not released, and no work is planned, before that day starts.",
});

export const CapacityNeeded = z
  .object({
    resource: z.string().meta({
      description: 'The resource the extra minutes are needed on: the drum, or another resource of the route that binds.',
      example: 'cnc',
    }),
    minutes: z.number().int().meta({ description: 'Extra working minutes needed on `resource`', example: 420 }),
    neededAfter: isoInstant.meta({ description: 'Capacity added before this instant cannot help.' }),
    neededBy: isoInstant.meta({ description: 'The capacity must be available before this instant.' }),
    neededByDate: localDate.meta({ description: 'The same, as a plant-local date.' }),
    bindingLimit: z
      .enum(['capacity', 'lead-time-floor'])
      .meta({ description: '"lead-time-floor": the date is inside the standard lead time; capacity cannot buy it.' }),
    suggestion: z
      .object({
        text: z
          .string()
          .meta({ example: '420 extra drum minutes by the end of 2026-12-04: e.g. overtime on 2026-12-03 (240) and 2026-12-02 (180)' }),
        fits: z.boolean().meta({ description: 'False when the minutes do not fit before the deadline under overtime caps.' }),
        days: z.array(
          z.object({
            date: localDate,
            minutes: z.number().int(),
            kind: z.enum(['overtime', 'extra_shift']),
            start: z.string().meta({ example: '22:00' }),
            end: z.string().meta({ example: '24:00' }),
          }),
        ),
      })
      .meta({
        deprecated: true,
        description:
          'Deprecated (kept for one release): use `proposals`, which respect the plant capacity policy and are priced. One interval per day, latest days first, under fixed 240/480-minute caps.',
      }),
  })
  .meta({ id: 'CapacityNeeded', description: 'The price of the requested date: capacity a planner could add to make it keepable.' });

const cost = z.number().meta({ description: "In the plant's currency; present for planners and admins only." });

export const CapacityProposal = z
  .object({
    resource: z.string().meta({ description: 'The resource the blocks add capacity to (`capacityNeeded.resource`).' }),
    totalMinutes: z.number().int(),
    totalCost: cost.optional(),
    currency: z.string().optional().meta({ description: 'ISO 4217 code of the costs ("XXX": relative costs); planners and admins only.' }),
    earliestPromiseDate: localDate.optional().meta({
      description:
        'The date the proposal makes keepable: the requested date (a quote once the blocks are added answers it or earlier). Absent on the compensation a refused capacity reduction offers, which keeps every promise.',
    }),
    readyBy: isoInstant.meta({ description: 'When the last block ends.' }),
    leavesShippingBuffer: z.boolean().meta({
      description: "True when every block ends at least the order's shipping buffer (working days) before the capacity is needed.",
    }),
    blocks: z.array(
      z.object({
        resource: z.string(),
        kind: z.enum(['overtime', 'extra_shift']).meta({ description: 'Post the block as a capacity change of this kind.' }),
        source: z
          .enum(['overtime', 'extra_shift', 'night_shift'])
          .meta({ description: 'The kind of the capacity policy it is priced as.' }),
        date: localDate,
        start: z.string().meta({ example: '22:00' }),
        end: z.string().meta({ example: '24:00' }),
        minutes: z.number().int(),
        cost: cost.optional(),
      }),
    ),
  })
  .meta({
    id: 'CapacityProposal',
    description:
      'A set of capacity blocks, each postable as-is as a capacity change (`POST …/capacity-changes` with resource, kind, date, start, end), that together make the requested date keepable under the plant capacity policy. Ranked by total cost, then by `readyBy`.',
  });

const quoteId = z.uuid().meta({
  description:
    'The `quoteId` of the quote this came from: links the order to the quote for the conversion KPI. Not checked (quotes are recorded off the request path, possibly by another process); an id that names no quote of this plant is stored but never counted.',
});

export const QuoteRequest = z
  .strictObject({
    sku: code,
    quantity,
    requestedDate: localDate.optional(),
    materialAvailableDate,
    customer: customer.optional().meta({ description: 'Who is asking, for the quote records and the KPIs per customer.' }),
  })
  .meta({ example: { sku: 'VALVE-50', quantity: 20, requestedDate: '2026-12-04' } });

export const QuoteResponse = z
  .object({
    quoteId: z.uuid().meta({ description: 'The recorded quote: pass it as `quoteId` when holding or ordering.' }),
    earliestPromiseDate: localDate,
    requestedDate: localDate.nullable(),
    requestedDateFeasible: z.boolean().nullable(),
    capacityNeeded: CapacityNeeded.optional(),
    proposals: z
      .array(CapacityProposal)
      .optional()
      .meta({ description: 'With `capacityNeeded`: priced ways to buy the requested date, best first; empty when none fits the policy.' }),
    bindingLimit: z.enum(['capacity', 'lead-time-floor']),
    bindingResource: z.string().nullable().meta({
      description:
        'The resource of the route the order waits on longest for other orders (the drum or, e.g., heat treatment before it); null when it waits nowhere.',
    }),
    drumLoadMinutes: z.number().int(),
    scheduleVersion: z.number().int(),
  })
  .meta({ id: 'Quote' });

export const HoldRequest = z
  .strictObject({
    sku: code,
    quantity,
    promiseDate: localDate
      .optional()
      .meta({ description: 'Hold this date (409 when it cannot be kept); omit for the earliest feasible date.' }),
    customer: customer.optional(),
    customerId: customerId.optional(),
    ttlSeconds: z.number().int().min(10).max(2_592_000).optional().meta({
      description:
        "Default: the plant's holdTtlSeconds. Above the plant's maxHoldTtlSeconds the hold is refused (422 hold-policy), never shortened.",
    }),
    materialAvailableDate,
    quoteId: quoteId.optional(),
  })
  .meta({ example: { sku: 'VALVE-50', quantity: 20, customer: 'ACME GmbH' } });

export const ConfirmRequest = z.strictObject({
  customer: customer.optional(),
  customerId: customerId.optional(),
  externalId: externalId.optional(),
});

export const OrderCreate = z
  .strictObject({
    sku: code,
    quantity,
    promiseDate: localDate,
    customer,
    customerId: customerId.optional(),
    externalId: externalId.optional(),
    materialAvailableDate,
    quoteId: quoteId.optional(),
  })
  .meta({ example: { sku: 'VALVE-50', quantity: 20, promiseDate: '2026-12-18', customer: 'ACME GmbH' } });

export const GoLiveRequest = z
  .strictObject({
    orders: z
      .array(
        z.strictObject({ sku: code, quantity, promiseDate: localDate, customer, externalId: externalId.optional(), materialAvailableDate }),
      )
      .min(1)
      .max(5000)
      .meta({ description: 'Open orders with the dates already promised to customers (past dates allowed: they are facts).' }),
  })
  .meta({
    example: { orders: [{ sku: 'VALVE-50', quantity: 20, promiseDate: '2026-11-27', customer: 'ACME GmbH', externalId: 'SO-1001' }] },
  });

export const GoLiveOutcome = z.object({
  loaded: z
    .array(z.object({ index: z.number().int(), orderId: z.uuid() }))
    .meta({ description: 'The new order id of each order, by its index in the request.' }),
  lateOrders: z
    .array(z.object({ orderId: z.uuid(), externalId: z.string().nullable(), promiseDate: localDate, earliestPromiseDate: localDate }))
    .meta({
      description: 'Promises the schedule cannot keep: planned at `earliestPromiseDate`, promise unchanged, at risk until re-promised.',
    }),
  scheduleVersion: z.number().int(),
});

export const ErpPush = z
  .strictObject({
    sku: code,
    quantity,
    promiseDate: localDate,
    customer,
    customerId: customerId.optional().meta({ description: "The ERP's customer number; a push without it clears it." }),
    materialAvailableDate,
    reason: text.min(1).max(500).optional().meta({
      description: 'Why the date moves: recorded on the `order.repromised` (initiator `erp`) a later date writes.',
    }),
  })
  .meta({ example: { sku: 'VALVE-100', quantity: 8, promiseDate: '2026-12-18', customer: 'ACME GmbH' } });

const OrderStatusEnum = z.enum(['held', 'confirmed', 'released', 'in_progress', 'completed', 'shipped', 'cancelled', 'expired']);

/** The stored at-risk flag of an order (issue 13): set and cleared by the schedule's writes, never by a read. */
export const AtRiskFlag = z.object({
  projectedFinish: isoInstant.nullable().meta({ description: 'Where the plan now ends; null: no finish within reach on the calendars.' }),
  reason: z.enum(AT_RISK_REASONS),
  resource: z.string().nullable().meta({ description: "With reason 'resource': the resource the order waits on longest." }),
  since: isoInstant.nullable(),
});

const plantTimeZone = z.string().meta({
  description: "The plant's IANA time zone: local dates (promise, requested) are its days; instants are UTC.",
  example: 'Europe/Vienna',
});

export const Order = z
  .object({
    id: z.uuid(),
    status: OrderStatusEnum,
    sku: z.string(),
    quantity: z.number().int(),
    customer: z.string().nullable(),
    customerId: z.string().nullable(),
    owner: z
      .string()
      .nullable()
      .meta({ description: 'The principal that owns the order (its salesperson sees and acts on it); a planner may hand it over.' }),
    externalId: z.string().nullable(),
    materialAvailableAt: isoInstant.nullable().meta({ description: 'Start of the day the material arrives; null when not set.' }),
    requestedDate: localDate.nullable(),
    promiseDate: localDate,
    drumDeadline: isoInstant,
    drumLoadMinutes: z.number().int(),
    drumDoneMinutes: z.number().int(),
    expiresAt: isoInstant.nullable(),
    releasedAt: isoInstant.nullable(),
    completedAt: isoInstant.nullable(),
    shippedAt: isoInstant.nullable(),
    promiseKept: z.boolean().nullable().meta({ description: 'Set when shipped: shipped by the end of the (latest) promise date.' }),
    originalPromiseDate: localDate
      .nullable()
      .meta({ description: 'The date the order was first confirmed for (null: a hold not yet confirmed). Re-promises never change it.' }),
    originalPromiseKept: z
      .boolean()
      .nullable()
      .meta({ description: 'Set when shipped: shipped by the end of the original promise date (what the KPIs count as kept).' }),
    quoteId: z.uuid().nullable(),
    createdAt: isoInstant,
    updatedAt: isoInstant,
    atRisk: AtRiskFlag.nullable().meta({
      description: 'Set while the open order is at risk of missing its promise; null: on track (or no longer open).',
    }),
    scheduleVersion: z.number().int(),
    timeZone: plantTimeZone,
  })
  .meta({ id: 'Order' });

export const OrderParams = z.strictObject({ plant: slug, id: z.uuid() });
export const ExternalIdParams = z.strictObject({ plant: slug, externalId });

export const OrderListQuery = z.strictObject({
  status: OrderStatusEnum.optional(),
  customer: text.max(200).optional(),
  customerId: text.max(100).optional(),
  cursor: text.max(200).optional().meta({ description: 'The nextCursor of the previous page.' }),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const OrderList = z.object({ items: z.array(Order), nextCursor: z.string().nullable() });

const ScheduledOrder = z
  .object({
    id: z.uuid(),
    sku: z.string(),
    quantity: z.number().int(),
    customer: z.string().nullable(),
    status: OrderStatusEnum,
    promiseDate: localDate,
    drumLoadMinutes: z.number().int().meta({ description: 'Remaining drum minutes' }),
    plannedStart: isoInstant,
    plannedFinish: isoInstant,
    plannedRelease: isoInstant.nullable().meta({
      description:
        'The rope: when material goes out, from the route plan (stored at commit: PB working days before the promise at the first shift start of the first operation’s resource; legacy orders: planned drum start − ⌈PB/2⌉ working days).',
    }),
    releaseDate: localDate.meta({ description: 'The local date of plannedRelease.' }),
    projectedFinish: isoInstant.nullable().meta({
      description:
        'End of the order’s last planned operation on any resource (plannedFinish is the drum’s); null when a calendar has no room.',
    }),
    drumDeadline: isoInstant,
    slackMinutes: z.number().int().meta({ description: 'Working minutes between planned finish and drum deadline.' }),
    bufferZone: z.enum(['green', 'yellow', 'red', 'black']),
    bufferPenetration: z.number(),
    late: z.boolean(),
    atRisk: AtRiskFlag.nullable().meta({ description: 'The stored at-risk flag (as of the last write or sweep); null: on track.' }),
  })
  .meta({ id: 'ScheduleEntry' });

export const ScheduleResponse = z.object({
  plant: z.string(),
  scheduleVersion: z.number().int(),
  computedAt: isoInstant,
  timeZone: plantTimeZone,
  feasible: z.boolean().meta({ description: 'Whether every committed order meets its drum deadline (the whole schedule, not this page).' }),
  orders: z.array(ScheduledOrder),
  nextCursor: z.string().nullable().meta({ description: 'Pass as `cursor` for the next page; null on the last page.' }),
});

const SCHEDULE_PAGE_DEFAULT = 500;
// A page of 5,000 blocked the event loop ~100–200 ms on the shared 2-CPU VM (planned times,
// buffer status and ISO strings per order); 1,000 keeps a page well inside the 50 ms budget.
const SCHEDULE_PAGE_MAX = 1000;

export const ScheduleQuery = z.strictObject({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(SCHEDULE_PAGE_MAX)
    .default(SCHEDULE_PAGE_DEFAULT)
    .meta({ description: `Orders per page (at most ${SCHEDULE_PAGE_MAX}).` }),
  cursor: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,512}$/, 'Pass nextCursor from the previous page unchanged')
    .optional()
    .meta({ description: "The previous page's nextCursor; omit for the first page." }),
});

export const EventsQuery = z.strictObject({
  after: z.coerce
    .number()
    .int()
    .min(0)
    .default(0)
    .meta({ description: 'Return events with seq greater than this (the last seq you processed).' }),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

const eventFields = {
  seq: z.number().int(),
  scheduleVersion: z.number().int(),
  actor: z.string(),
  at: isoInstant,
  orderId: z.string().nullable(),
};

/**
 * A feed event. The contract is generated from the event registry (EVENT_SCHEMAS, the same
 * schemas the writer validates every event against when appending it): one branch per event
 * type, `type` a literal and `data` that type's schema, so clients get both the list of types
 * and the shape of each one's data. zod renders the discriminated union as a JSON Schema
 * `oneOf` whose branches differ in their `type` const; the response serializer is zod's
 * (validate, then JSON.stringify, not fast-json-stringify), so the union costs a lookup by
 * `type` per event and does not change the bytes written.
 */
const eventTypes = Object.keys(EVENT_SCHEMAS) as (keyof typeof EVENT_SCHEMAS)[];
const eventBranch = <K extends keyof typeof EVENT_SCHEMAS>(type: K) =>
  z.object({ ...eventFields, type: z.literal(type), data: EVENT_SCHEMAS[type] }).meta({ title: type, id: eventSchemaId(type) });
/** 'order.at-risk' → 'OrderAtRiskEvent': one named schema per event type for typed clients. */
const eventSchemaId = (type: string) =>
  `${type
    .split(/[.-]/)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('')}Event`;
const [firstEventType, ...otherEventTypes] = eventTypes;
export const Event = z
  .discriminatedUnion('type', [eventBranch(firstEventType!), ...otherEventTypes.map(eventBranch)])
  .meta({ id: 'Event' });

export const EventsResponse = z.object({ items: z.array(Event), lastSeq: z.number().int() });

const PlannedOperation = z.object({
  position: z.number().int().meta({ description: "The operation's place in the order's routing snapshot (0-based)." }),
  resource: z.string(),
  minutes: z.number().int().meta({ description: 'Working minutes the operation needs on its resource.' }),
  start: isoInstant,
  end: isoInstant
    .nullable()
    .meta({ description: 'The interval holds exactly `minutes` working minutes of the resource; work pauses outside its shifts.' }),
});

export const OrderPlan = z
  .object({
    orderId: z.uuid(),
    status: OrderStatusEnum,
    promiseDate: localDate,
    shippingBufferDays: z.number().int(),
    materialAvailableAt: isoInstant.nullable(),
    plannedRelease: isoInstant.nullable().meta({
      description: 'The rope: material release planned at commit (promise − production buffer, earlier only when the route needs it).',
    }),
    releasedAt: isoInstant.nullable(),
    ready: isoInstant
      .nullable()
      .meta({ description: 'When the work before the drum is planned to be done: the drum cannot start the order earlier.' }),
    drumDeadline: isoInstant.nullable(),
    shipReadyBy: isoInstant.meta({
      description: 'End of the working day one shipping buffer before the promise: every operation ends by then.',
    }),
    due: isoInstant.meta({ description: 'End of the promise day.' }),
    late: z.boolean().meta({ description: 'The plan ends after `due`: the promise is at risk (time passed or a fact delayed the work).' }),
    bufferConsumed: z
      .boolean()
      .meta({ description: 'The plan ends after `shipReadyBy` but by `due`: the shipping buffer is being used, the promise still holds.' }),
    operations: z.array(PlannedOperation),
  })
  .meta({ id: 'OrderPlan' });

export const PlantPlan = z.object({ scheduleVersion: z.number().int(), orders: z.array(OrderPlan) });

export const HoldExtend = z
  .strictObject({
    expiresAt: isoInstant.meta({ description: 'The new expiry: later than the current one, within 30 days of now.' }),
    reason: text.min(1).max(500),
  })
  .meta({ example: { expiresAt: '2026-11-25T16:00:00Z', reason: 'Customer signs on Wednesday; agreed with sales lead' } });

export const HandOverRequest = z
  .strictObject({
    to: principal.meta({ description: 'The principal that takes the orders over (must have an active key).' }),
    orderId: z.uuid().optional().meta({ description: 'Hand over this order …' }),
    customerId: customerId
      .optional()
      .meta({ description: '… or every order of this ERP customer number in the plant (send one of the two).' }),
    reason: text.max(500).optional(),
  })
  .meta({ example: { to: 'key.accounts', customerId: 'C-10042', reason: 'ACME moves to key-account management' } });

export const HandOverResult = z.object({
  to: z.string(),
  customerId: z.string().nullable(),
  orders: z.array(z.object({ orderId: z.uuid(), from: z.string().nullable() })).meta({
    description: 'The orders that changed owner, each with its previous owner (orders the receiver already owned are left out).',
  }),
  scheduleVersion: z.number().int(),
});
