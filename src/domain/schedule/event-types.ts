import { z } from 'zod';
import { AT_RISK_REASONS } from '../../planning-rules/at-risk.ts';

/**
 * The schedule events, one zod schema per type: the writer validates every event against its
 * schema when appending it (a bad event is a bug and fails the write), and the contract and
 * consumers can take the types from here. Objects are strict so that a field added at an
 * emit site without its schema fails the tests instead of being dropped.
 */
const localDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const instant = z.string();
const minutes = z.number().int();

const orderData = {
  sku: z.string(),
  quantity: z.number().int(),
  customer: z.string().nullable(),
  /** The ERP's customer number; absent when the order has none. */
  customerId: z.string().optional(),
  externalId: z.string().nullable(),
  promiseDate: localDate,
  drumDeadline: instant,
  drumLoadMinutes: minutes,
  status: z.string(),
};

const capacityChange = {
  id: z.string(),
  resource: z.string(),
  kind: z.enum(['overtime', 'extra_shift', 'downtime', 'holiday']),
  date: localDate,
  start: z.string().nullable(),
  end: z.string().nullable(),
  reason: z.string(),
  createdBy: z.string(),
  createdAt: instant,
  scheduleVersion: z.number().int(),
  revokedAt: instant.nullable(),
  revokedBy: z.string().nullable(),
  revokeReason: z.string().nullable(),
  breakdownId: z.string().nullable(),
  /** Added by accepting a capacity request (issue 15 item 4): the request, and the held order it was for. */
  capacityRequestId: z.string().optional(),
  forOrderId: z.string().nullable().optional(),
  /** A ranged change (issue 15 item 3): its pattern or blocks, and the days it stands for. */
  range: z.strictObject({ from: localDate, to: localDate, weekdays: z.array(z.number().int()), except: z.array(localDate) }).optional(),
  blocks: z.array(z.strictObject({ date: localDate, start: z.string().nullable(), end: z.string().nullable() })).optional(),
  days: z
    .array(z.strictObject({ date: localDate, start: z.string().nullable(), end: z.string().nullable(), revokedAt: instant.nullable() }))
    .optional(),
  skippedDays: z
    .array(z.strictObject({ date: localDate, start: z.string().nullable(), end: z.string().nullable(), why: z.string() }))
    .optional(),
  endedFrom: localDate.nullable().optional(),
  endedAt: instant.nullable().optional(),
  endedBy: z.string().nullable().optional(),
  endReason: z.string().nullable().optional(),
};

const breakdown = {
  id: z.string(),
  resource: z.string(),
  start: instant,
  expectedEnd: instant,
  endedAt: instant.nullable(),
  reason: z.string(),
  createdBy: z.string(),
};

const calendar = z.strictObject({
  timeZone: z.string().optional(),
  weekly: z.array(z.unknown()),
  exceptions: z.array(z.unknown()).optional(),
});

/** A capacity request (issue 15 item 4): `owner` is the filing salesperson's principal, who sees its events in GET /v1/me/events. */
const capacityRequest = {
  requestId: z.string(),
  owner: z.string(),
  sku: z.string(),
  quantity: z.number().int(),
  requestedDate: localDate,
  quoteId: z.string().nullable(),
};

export const EVENT_SCHEMAS = {
  'hold.created': z.strictObject({ ...orderData, expiresAt: instant.optional() }),
  'hold.expired': z.strictObject({ promiseDate: localDate, drumLoadMinutes: minutes, expiredAt: instant }),
  'hold.released': z.strictObject({ promiseDate: localDate, drumLoadMinutes: minutes }),
  /** A planner moved a live hold's expiry (from: the expiry before). */
  'hold.extended': z.strictObject({
    from: instant.nullable(),
    to: instant,
    reason: z.string(),
    owner: z.string().nullable(),
    drumLoadMinutes: minutes,
  }),
  /** A planner handed orders to another principal (one order, or all of an ERP customer's). */
  'orders.handed-over': z.strictObject({
    to: z.string(),
    customerId: z.string().nullable(),
    reason: z.string().nullable(),
    orders: z.array(z.strictObject({ orderId: z.string(), from: z.string().nullable() })),
  }),
  'order.created': z.strictObject(orderData),
  'order.pushed': z.strictObject(orderData),
  'order.confirmed': z.strictObject(orderData),
  'order.updated': z.strictObject({
    before: z.strictObject(orderData),
    after: z.strictObject(orderData),
    via: z.literal('erp-push'),
    /** How the KPIs count it: a later date is also an `order.repromised` (initiator erp); an earlier date, new quantity or product is the customer's change. */
    change: z.enum(['repromise', 'customer-change', 'other']).optional(),
    reason: z.string().nullable().optional(),
  }),
  'order.cancelled': z.strictObject({ ...orderData, previousStatus: z.string(), reason: z.string().nullable() }),
  'order.repromised': z.strictObject({
    from: localDate,
    to: localDate,
    reason: z.string(),
    /** Who asked for the new date; absent in events written before it was recorded (a planner's: the plant). */
    initiator: z.enum(['plant', 'customer', 'erp']).optional(),
    customer: z.string().nullable(),
    externalId: z.string().nullable(),
    capacityChangeId: z.string().optional(),
    /** The order was planned on its product's current routing (drum load before and after). */
    appliedRouting: z.strictObject({ drumLoadMinutesBefore: minutes, drumLoadMinutesAfter: minutes }).optional(),
  }),
  'order.progress': z.strictObject({
    drumMinutesDone: minutes,
    drumLoadMinutes: minutes,
    drumOperationDone: z.boolean(),
    madeLate: z.array(z.string()),
  }),
  /** The floor's cumulative report on one non-drum operation (issue 13 item 2): a fact, never refused for lateness. */
  'order.operation-progress': z.strictObject({
    position: z.number().int(),
    resource: z.string(),
    minutesDone: minutes,
    /** The operation's planned minutes. */
    minutes,
    completed: z.boolean(),
    /** Orders whose plan the report moved (the order itself included). */
    movedOrderIds: z.array(z.string()),
    /** The moved orders whose plan now ends after their promised day. */
    madeLate: z.array(z.string()),
    /**
     * The order's material was expected at this later time: the report is the fact that it is
     * here, so its material date became today and it was planned from the report on.
     */
    materialExpectedAt: instant.optional(),
  }),
  'order.completed': z.strictObject({ promiseDate: localDate, penetration: z.number(), zone: z.string() }),
  'order.shipped': z.strictObject({
    promiseDate: localDate,
    shippedDate: localDate,
    promiseKept: z.boolean(),
    /** The first confirmed date and whether it was kept; absent in events written before it was recorded. */
    originalPromiseDate: localDate.optional(),
    originalPromiseKept: z.boolean().optional(),
  }),
  'order.released': z.strictObject({
    ropeReleaseDate: localDate,
    releasedOn: localDate,
    early: z.boolean(),
    workingDaysEarly: z.number().int(),
    reason: z.string().nullable(),
  }),
  /** The order's projected completion passed its promised day beyond the plant's tolerance (issue 13): once per episode. */
  'order.at-risk': z.strictObject({
    promiseDate: localDate,
    /** null: no finish within reach. */
    projectedFinish: instant.nullable(),
    lateByMinutes: minutes.nullable(),
    reason: z.enum(AT_RISK_REASONS),
    resource: z.string().nullable(),
  }),
  /** An at-risk order is on track again: re-promised, or its projection came back inside its promised day by the recovery margin. */
  'order.on-track': z.strictObject({
    promiseDate: localDate,
    projectedFinish: instant.nullable(),
    reason: z.enum(['repromised', 'recovered']),
  }),
  'schedule.frozen': z.strictObject({ orderIds: z.array(z.string()), frozenWindowMinutes: minutes }),
  'schedule.legacy-planned': z.strictObject({ plannedOrderIds: z.array(z.string()), unplannableOrderIds: z.array(z.string()) }),
  'schedule.time-passed': z.strictObject({
    overdueOrderIds: z.array(z.string()),
    movedOrderIds: z.array(z.string()),
    atRisk: z.array(z.strictObject({ orderId: z.string(), projectedFinish: instant.nullable() })),
    bufferConsumed: z.array(z.string()),
    notBefore: instant,
  }),
  'capacity.changed': z.strictObject({
    ...capacityChange,
    drum: z.boolean(),
    minutesDelta: minutes,
    moved: z.number().int(),
    repromised: z.array(z.string()),
    /** Orders whose plan the change moved off the drum (right-shifted or planned again), in drum order. */
    replanned: z.array(z.string()).optional(),
  }),
  /** The plant's existing open orders loaded once as facts; `lateOrderIds`: promises the schedule cannot keep (at risk). */
  'plant.went-live': z.strictObject({ loaded: z.number().int(), lateOrderIds: z.array(z.string()) }),
  /** A recorded fact, never refused: `lateOrders` are the orders it made late, planned at their earliest date and at risk. */
  'breakdown.recorded': z.strictObject({ ...breakdown, lateOrders: z.array(z.string()) }),
  /** Extended, shortened or closed; `lateOrders` as for a new one. */
  'breakdown.updated': z.strictObject({ ...breakdown, lateOrders: z.array(z.string()) }),
  'capacity.revoked': z.strictObject({ ...capacityChange, drum: z.boolean(), minutesDelta: minutes, repromised: z.array(z.string()) }),
  /** A ranged change ended early: `revokedDays` are the dates taken back (from `endedFrom` on); the days before stay. */
  'capacity.ended': z.strictObject({
    ...capacityChange,
    drum: z.boolean(),
    minutesDelta: minutes,
    repromised: z.array(z.string()),
    revokedDays: z.array(localDate),
  }),
  'drum.calendar.changed': z.strictObject({ resource: z.string(), drum: z.boolean(), before: calendar.nullable(), after: calendar }),
  /** A resource off the drum got a new calendar; `replanned`: the orders whose planned work on it moved (their promises kept). */
  'resource.calendar.changed': z.strictObject({
    resource: z.string(),
    before: calendar.nullable(),
    after: calendar,
    replanned: z.array(z.string()),
  }),
  'buffer.changed': z.strictObject({
    sku: z.string().nullable(),
    from: z.number().int(),
    to: z.number().int(),
    direction: z.enum(['grow', 'shrink']).nullable(),
    reason: z.string(),
    evidence: z.strictObject({
      completed: z.number().int(),
      zones: z.record(z.string(), z.number().int()),
      window: z.strictObject({ from: localDate, to: localDate }),
    }),
    /** Products whose effective lead time (max(LT, PB)) the change moved; absent in events written before it was recorded. */
    effectiveLeadTimeChanges: z.array(z.strictObject({ sku: z.string(), from: z.number().int(), to: z.number().int() })).optional(),
    /** The rope of orders promised after the change (PB working days before the promise); absent in events written before it was recorded. */
    ropeChange: z.strictObject({ from: z.number().int(), to: z.number().int() }).nullable().optional(),
  }),
  /**
   * An admin erased a customer's name (issue 16 item 5): orders, events and quote records now
   * carry `pseudonym` instead. The name itself is recorded nowhere.
   */
  'customer.erased': z.strictObject({
    pseudonym: z.string(),
    orders: z.number().int(),
    events: z.number().int(),
    quotes: z.number().int(),
  }),
  /** The plant's capacity policy replaced (issue 15 item 1): what extra capacity proposals may use, and its cost. */
  'capacity-policy.changed': z.strictObject({
    currency: z.string(),
    defaults: z.record(z.string(), z.unknown()),
    resources: z.record(z.string(), z.record(z.string(), z.unknown())),
    revision: z.number().int(),
  }),
  /**
   * A salesperson asked for the capacity that would buy a refused date; `proposals`: how many the
   * schedule offered. Costs stay off the feed, and so does the free-text note (the feed is
   * append-only: a customer's name in it could never be erased).
   */
  'capacity-request.filed': z.strictObject({
    ...capacityRequest,
    earliestPromiseDate: localDate,
    capacityMinutes: minutes.nullable(),
    proposals: z.number().int(),
  }),
  /** A planner applied capacity for it (`changeIds`, also `capacity.changed` events in this version); the held order re-promised or not, and why. */
  'capacity-request.accepted': z.strictObject({
    ...capacityRequest,
    proposalIndex: z.number().int().nullable(),
    changeIds: z.array(z.string()),
    totalMinutes: minutes,
    requestedDateKeepable: z.boolean(),
    orderRepromised: z.boolean(),
    orderNote: z.string().nullable(),
  }),
  'capacity-request.declined': z.strictObject({ ...capacityRequest, reason: z.string() }),
  /** Taken back by the salesperson who filed it, or by a planner (`by`: the role). */
  'capacity-request.withdrawn': z.strictObject({ ...capacityRequest, by: z.string(), reason: z.string().nullable() }),
  /**
   * A what-if scenario promoted (issue 15 item 6): its operations were applied in this same
   * version, each with its own events; `skippedHypotheticalOrders` are the indexes of the
   * hypothetical orders, never applied.
   */
  'scenario.promoted': z.strictObject({
    scenarioId: z.string(),
    name: z.string(),
    revision: z.number().int(),
    operations: z.number().int(),
    skippedHypotheticalOrders: z.array(z.number().int()),
  }),
  /** Written by the benchmark's seeding only (bench/seed.ts): many orders in one write. */
  'bench.seeded': z.strictObject({ orders: z.number().int(), total: z.number().int() }),
} as const;

type EventType = keyof typeof EVENT_SCHEMAS;

/** An event as a write emits it: its type decides the shape of its data. */
export type ScheduleEvent = {
  [K in EventType]: { type: K; orderId?: string | null; data: z.input<(typeof EVENT_SCHEMAS)[K]> };
}[EventType];

/**
 * An event as the feed reads it back. Every stored event was checked against its type's
 * schema when it was appended (eventData), so the feed may read the row's `type` and `data`
 * as this union; the feed's response schema validates it again on the way out.
 */
export type StoredEvent = {
  [K in EventType]: {
    seq: number;
    scheduleVersion: number;
    type: K;
    actor: string;
    at: string;
    orderId: string | null;
    data: z.output<(typeof EVENT_SCHEMAS)[K]>;
  };
}[EventType];

/** The event's data as it is stored, checked against its type's schema. */
export function eventData(e: ScheduleEvent): Record<string, unknown> {
  return EVENT_SCHEMAS[e.type].parse(e.data);
}
