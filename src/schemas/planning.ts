import { z } from 'zod';
import { clockTime, code, isoInstant, localDate, slug, text } from './common.ts';
import { AtRiskFlag } from './promising.ts';

const reason = text.min(1).max(500).meta({ example: 'customer agreed to the later date' });

const RepromiseItem = z.strictObject({ orderId: z.uuid(), promiseDate: localDate, reason });

const repromises = z
  .array(RepromiseItem)
  .max(1000)
  .optional()
  .meta({ description: 'Explicit re-promises for every order the change would make late (each at or after its earliestPromiseDate).' });

export const CapacityChangeCreate = z
  .strictObject({
    resource: code,
    kind: z.enum(['overtime', 'extra_shift', 'downtime', 'holiday']),
    date: localDate,
    start: clockTime
      .optional()
      .meta({ description: 'Local "HH:MM"; required for overtime and extra_shift; downtime without start/end takes the whole day.' }),
    end: clockTime.optional(),
    reason,
    repromises,
  })
  .meta({
    example: { resource: 'cnc', kind: 'overtime', date: '2026-12-03', start: '22:00', end: '24:00', reason: 'rush order for ACME' },
  });

export const PreviewQuery = z.strictObject({
  preview: z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => v === 'true')
    .meta({ description: 'true: answer with the diff and change nothing.' }),
});

export const CapacityChangeParams = z.strictObject({ plant: slug, id: z.uuid() });

export const CapacityChangeRevoke = z.strictObject({ reason: reason.optional(), repromises }).nullish();

const CapacityChange = z.object({
  id: z.uuid(),
  resource: z.string(),
  kind: z.enum(['overtime', 'extra_shift', 'downtime', 'holiday']),
  date: localDate,
  start: z.string().nullable(),
  end: z.string().nullable(),
  reason: z.string(),
  createdBy: z.string(),
  createdAt: isoInstant,
  scheduleVersion: z.number().int(),
  revokedAt: isoInstant.nullable(),
  revokedBy: z.string().nullable(),
  revokeReason: z.string().nullable(),
  breakdownId: z
    .uuid()
    .nullable()
    .meta({ description: 'Set on the downtime of a breakdown (one change per local day): change it through the breakdown.' }),
});

export const CapacityChangeList = z.object({
  items: z.array(CapacityChange),
  capacityRevision: z.number().int().meta({ description: 'Also the ETag: send it as If-Match when adding or revoking a change.' }),
});

export const CapacityChangeListQuery = z.strictObject({
  includeRevoked: z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => v === 'true'),
});

const instantOrNever = z.string().meta({ description: 'ISO instant, or "never" when the calendar has no room.' });

const LateOrder = z.object({
  orderId: z.uuid(),
  promiseDate: localDate,
  earliestPromiseDate: z.string().meta({ description: 'Earliest date it can be re-promised for under the new capacity.' }),
  plannedFinish: instantOrNever,
  drumDeadline: instantOrNever,
  lateByMinutes: z.number().int(),
});

export const CapacityChangeOutcome = z.object({
  preview: z.boolean(),
  change: CapacityChange.optional(),
  drum: z
    .boolean()
    .meta({ description: 'True when the resource is the drum: promises may move. Other resources change load monitoring only.' }),
  minutesDelta: z.number().int().meta({ description: 'Working minutes added (+) or removed (−) on that date.' }),
  moved: z.array(
    z.object({
      orderId: z.uuid(),
      before: z.object({ start: instantOrNever, finish: instantOrNever }),
      after: z.object({ start: instantOrNever, finish: instantOrNever }),
    }),
  ),
  movedCount: z.number().int().meta({ description: 'All orders that move; `moved` lists the first 200 in drum order.' }),
  late: z.array(LateOrder).meta({ description: 'Orders the change makes late, with their earliest feasible promise.' }),
  stillLate: z.array(LateOrder),
  repromised: z.array(z.object({ orderId: z.uuid(), from: localDate, to: localDate, reason: z.string() })),
  scheduleVersion: z.number().int(),
  capacityRevision: z.number().int(),
});

export const RepromiseRequest = z
  .strictObject({
    promiseDate: localDate,
    reason,
    initiator: z.enum(['plant', 'customer']).default('plant').meta({
      description:
        'Who asked for the new date: `plant` (capacity, a breakdown, the planner’s decision; the default) or `customer` (the customer moved the delivery). Counted per initiator by the KPIs; the promise kept against the original date counts either way.',
    }),
    applyCurrentRouting: z.boolean().optional().meta({
      description:
        "Plan the order on its product's current routing (today's standard minutes) instead of the operation minutes it was promised on. Open orders never change by a routing change alone; this is the explicit step. The promise date may stay the same; refused (409, nothing changed) when no plan on the new minutes keeps it.",
    }),
  })
  .meta({ example: { promiseDate: '2026-12-18', reason: 'drum downtime on 2026-12-03' } });
export const ProgressRequest = z.strictObject({
  drumMinutesDone: z
    .number()
    .int()
    .min(0)
    .meta({ description: 'Cumulative drum minutes done; equal to the drum load when the drum operation is finished.' }),
});
export const OperationProgressRequest = z
  .strictObject({
    minutesDone: z.number().int().min(0).optional().meta({
      description:
        "Cumulative working minutes done on the operation (never less than before); equal to the operation's minutes when it is finished.",
    }),
    status: z.enum(['started', 'completed']).optional().meta({
      description: '`started`: the operation began (with `minutesDone` or without: 0 so far); `completed`: all its minutes are done.',
    }),
  })
  .refine((b) => b.minutesDone !== undefined || b.status !== undefined, { message: 'Give minutesDone, status or both' })
  .meta({ example: { minutesDone: 120 } });
export const ReleaseRequest = z.strictObject({ reason: reason.optional() }).nullish();

/** What the floor lists need of an order, in priority order. */
const OrderLine = z.object({
  priority: z.number().int(),
  orderId: z.uuid(),
  sku: z.string(),
  quantity: z.number().int(),
  customer: z.string().nullable(),
  promiseDate: localDate,
});

export const ReleaseListQuery = z.strictObject({
  date: localDate.optional().meta({ description: 'Default: today in the plant time zone.' }),
});

export const ReleaseList = z.object({
  plant: z.string(),
  date: localDate,
  scheduleVersion: z.number().int(),
  computedAt: isoInstant,
  items: z.array(
    OrderLine.extend({
      plannedRelease: isoInstant.meta({
        description:
          'The rope: when material goes out. Stored at commit: the first working minute of the first operation’s resource on the working day PB working days before the promise (earlier when upstream work must start earlier). Orders promised before whole-route planning: planned drum start − ⌈PB/2⌉ working days.',
      }),
      releaseDate: localDate.meta({ description: 'The local date of plannedRelease.' }),
      queueMinutes: z
        .number()
        .int()
        .nullable()
        .meta({ description: 'Planned wait in wall-clock minutes from plannedRelease to the start of the first operation (≥ 0).' }),
      plannedDrumStart: isoInstant
        .nullable()
        .meta({ description: 'Start of the drum operation in the plan; null when the drum has no room.' }),
      projectedFinish: isoInstant.nullable().meta({ description: 'End of the last planned operation; null when a calendar has no room.' }),
      drumLoadMinutes: z.number().int().meta({ description: 'Remaining drum minutes.' }),
      overdue: z.boolean().meta({ description: 'Not released and now is past plannedRelease.' }),
    }),
  ),
});

const zone = z.enum(['green', 'yellow', 'red', 'black']);
const zoneCounts = z.object({ green: z.number().int(), yellow: z.number().int(), red: z.number().int(), black: z.number().int() });

export const BufferBoard = z.object({
  plant: z.string(),
  scheduleVersion: z.number().int(),
  computedAt: isoInstant,
  counts: zoneCounts,
  items: z.array(
    OrderLine.extend({
      status: z.enum(['confirmed', 'released', 'in_progress']),
      releaseDue: z.boolean().meta({ description: 'Confirmed, not released, and its planned release is due or overdue: release it now.' }),
      plannedRelease: isoInstant.nullable(),
      productionBufferDays: z.number().int(),
      penetration: z.number().meta({ description: '(buffer − left) / buffer × 100 in drum working time' }),
      zone,
      bufferMinutes: z.number().int(),
      leftMinutes: z.number().int(),
      due: isoInstant,
      drumMinutesDone: z.number().int(),
      drumLoadMinutes: z.number().int(),
      atRisk: AtRiskFlag.nullable().meta({ description: 'The stored at-risk flag; null: on track.' }),
    }),
  ),
});

/** GET …/at-risk: open orders flagged at risk, most late first. */
export const AtRiskList = z.object({
  plant: z.string(),
  scheduleVersion: z.number().int(),
  computedAt: isoInstant,
  items: z.array(
    AtRiskFlag.extend({
      orderId: z.uuid(),
      status: z.string(),
      sku: z.string(),
      quantity: z.number().int(),
      customer: z.string().nullable(),
      externalId: z.string().nullable(),
      promiseDate: localDate,
      lateByMinutes: z
        .number()
        .int()
        .nullable()
        .meta({ description: 'Projected finish past the end of the promised day (wall-clock minutes); null: no finish within reach.' }),
    }),
  ),
});

export { zoneCounts as ZoneCounts };
