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

const kind = z.enum(['overtime', 'extra_shift', 'downtime', 'holiday']);

const CapacityBlockInput = z.strictObject({
  date: localDate,
  start: clockTime.optional().meta({ description: 'Local "HH:MM"; required for overtime and extra_shift.' }),
  end: clockTime.optional(),
});

export const CapacityChangeCreate = z
  .strictObject({
    resource: code,
    kind,
    date: localDate.optional().meta({
      description: 'One local day (the single-day form). Give `date`, or `from` and `to` (a range with a weekly pattern), or `blocks`.',
    }),
    start: clockTime.optional().meta({
      description:
        'Local "HH:MM"; required for overtime and extra_shift; downtime without start/end takes the whole day. With `from`/`to`: the block on every day of the pattern.',
    }),
    end: clockTime.optional(),
    from: localDate.optional().meta({ description: 'First day of a ranged change (with `to`, at most 366 days, not in the past).' }),
    to: localDate.optional().meta({ description: 'Last day of a ranged change (included).' }),
    weekdays: z
      .array(z.number().int().min(1).max(7))
      .min(1)
      .max(7)
      .optional()
      .meta({ description: 'ISO weekdays of the pattern (1 = Monday … 7 = Sunday); default: every day.', example: [1, 2, 3, 4, 5] }),
    except: z.array(localDate).max(366).optional().meta({ description: 'Dates of the range left out of the pattern.' }),
    blocks: z.array(CapacityBlockInput).min(1).max(1000).optional().meta({
      description:
        'An explicit list of blocks applied as one change (same resource and kind), e.g. a priced proposal; within 366 days, none in the past, none overlapping another on its date.',
    }),
    reason,
    repromises,
  })
  .superRefine((b, ctx) => {
    const ranged = b.from !== undefined || b.to !== undefined;
    const forms = [b.date !== undefined, ranged, b.blocks !== undefined].filter(Boolean).length;
    if (forms !== 1)
      ctx.addIssue({
        code: 'custom',
        path: forms === 0 ? ['date'] : [],
        message: 'Give exactly one of `date` (one day), `from` and `to` (a range with a weekly pattern), or `blocks`',
      });
    if (ranged && b.from === undefined) ctx.addIssue({ code: 'custom', path: ['from'], message: 'A range needs `from` and `to`' });
    if (ranged && b.to === undefined) ctx.addIssue({ code: 'custom', path: ['to'], message: 'A range needs `from` and `to`' });
    for (const field of ['weekdays', 'except'] as const)
      if (b[field] !== undefined && !ranged)
        ctx.addIssue({ code: 'custom', path: [field], message: `\`${field}\` belongs to a range (from, to)` });
    if (b.weekdays && new Set(b.weekdays).size !== b.weekdays.length)
      ctx.addIssue({ code: 'custom', path: ['weekdays'], message: 'A weekday is listed twice' });
    if (b.blocks !== undefined)
      for (const field of ['start', 'end'] as const)
        if (b[field] !== undefined) ctx.addIssue({ code: 'custom', path: [field], message: 'Each block carries its own start and end' });
  })
  .meta({
    example: { resource: 'cnc', kind: 'overtime', date: '2026-12-03', start: '22:00', end: '24:00', reason: 'rush order for ACME' },
  });

export const CapacityChangeEnd = z
  .strictObject({
    from: localDate.meta({ description: 'The first day revoked: the change keeps its days before it.' }),
    reason: reason.optional(),
    repromises,
  })
  .meta({ example: { from: '2026-12-28', reason: 'backlog cleared' } });

export const PreviewQuery = z.strictObject({
  preview: z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => v === 'true')
    .meta({ description: 'true: answer with the diff and change nothing.' }),
});

export const CapacityChangeParams = z.strictObject({ plant: slug, id: z.uuid() });

export const CapacityChangeRevoke = z.strictObject({ reason: reason.optional(), repromises }).nullish();

const Block = z.object({ date: localDate, start: z.string().nullable(), end: z.string().nullable() });

const CapacityChange = z.object({
  id: z.uuid(),
  resource: z.string(),
  kind,
  date: localDate.meta({ description: 'The day; for a ranged change the first day of its range, or its first block.' }),
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
  capacityRequestId: z
    .uuid()
    .optional()
    .meta({ description: 'Capacity a planner added by accepting this capacity request (GET …/capacity-requests/{id}).' }),
  forOrderId: z.uuid().nullable().optional().meta({ description: 'With `capacityRequestId`: the held order it was added for.' }),
  range: z
    .object({
      from: localDate,
      to: localDate,
      weekdays: z.array(z.number().int()),
      except: z.array(localDate),
    })
    .optional()
    .meta({ description: 'A ranged change with a weekly pattern: its range and weekdays (`start`/`end` are its block).' }),
  blocks: z.array(Block).optional().meta({ description: 'A change made of an explicit list of blocks, as requested.' }),
  days: z
    .array(Block.extend({ revokedAt: isoInstant.nullable() }))
    .optional()
    .meta({ description: 'A ranged change: the days it stands for, each revoked when the change was ended early or revoked.' }),
  skippedDays: z
    .array(Block.extend({ why: z.string() }))
    .optional()
    .meta({ description: 'A ranged change: requested days left out, and why (they would add no working minute).' }),
  endedFrom: localDate.nullable().optional().meta({ description: 'A ranged change ended early: its days from this date on are revoked.' }),
  endedAt: isoInstant.nullable().optional(),
  endedBy: z.string().nullable().optional(),
  endReason: z.string().nullable().optional(),
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
  minutesDelta: z
    .number()
    .int()
    .meta({ description: 'Working minutes added (+) or removed (−) on that date (a ranged change: on all its days).' }),
  days: z
    .array(
      Block.extend({
        minutesDelta: z.number().int(),
        clockChangeMinutes: z.number().int().meta({
          description:
            'Non-zero on a daylight-saving day when the clocks change inside the block: it is wall-clock time, so it lasts that many minutes more (+) or less (−).',
        }),
      }),
    )
    .optional()
    .meta({ description: 'A ranged change (or ending one): each day it adds, removes or revokes, with its working minutes.' }),
  skippedDays: z
    .array(Block.extend({ why: z.string() }))
    .optional()
    .meta({ description: 'Requested days left out of a ranged change, and why.' }),
  moved: z
    .array(
      z.object({
        orderId: z.uuid(),
        before: z.object({ start: instantOrNever, finish: instantOrNever }),
        after: z.object({ start: instantOrNever, finish: instantOrNever }),
      }),
    )
    .meta({
      description:
        'Orders whose plan the change moves, in drum order (the first 200). A change on the drum: each order’s drum operation (`start`, `finish`) before and after. A change off the drum: each order whose plan the right-shift repair changes, with the stretch of its plan that moves (from the first start to the last end of the operations whose start or end changes) before and after. Orders at risk that the write then plans again on capacity the change frees are not listed here; the `capacity.changed` event’s `replanned` names every order the write moved.',
    }),
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

// A page of the floor lists (board, release list), in rank order. Without `limit` the whole list
// comes back, as before paging existed; 1,000 rows is ~0.4 MB of JSON.
const FLOOR_PAGE_MAX = 1000;
const floorPage = {
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(FLOOR_PAGE_MAX)
    .optional()
    .meta({ description: `Rows per page (at most ${FLOOR_PAGE_MAX}); omit for the whole list.`, example: 100 }),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0).meta({
    description:
      'Rows to skip, in rank order (`priority` − 1): pass the previous page’s `nextOffset`. Pages of one `scheduleVersion` fit together; when it changed, start again from 0.',
    example: 100,
  }),
};
const pageFields = {
  total: z.number().int().meta({ description: 'Rows in the whole list (all pages).' }),
  nextOffset: z.number().int().nullable().meta({ description: 'Pass as `offset` for the next page; null on the last page.' }),
};

export const ReleaseListQuery = z.strictObject({
  date: localDate.optional().meta({ description: 'Default: today in the plant time zone.' }),
  ...floorPage,
});

export const BufferBoardQuery = z.strictObject({
  ...floorPage,
  scope: z.enum(['all', 'in-work']).default('all').meta({
    description:
      '`in-work`: released and in-progress cards only, without the confirmed ones due for release (the release list shows those); `counts`, `atRiskCount` and `total` are then over those cards.',
    example: 'in-work',
  }),
});

export const ReleaseList = z.object({
  plant: z.string(),
  date: localDate,
  scheduleVersion: z.number().int(),
  computedAt: isoInstant,
  ...pageFields,
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
  counts: zoneCounts.meta({ description: 'Orders per zone over the whole board (all pages).' }),
  atRiskCount: z.number().int().meta({ description: 'Cards flagged at risk over the whole board (all pages).' }),
  ...pageFields,
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
      plannedRelease: isoInstant.nullable().meta({
        description:
          'The rope instant stored at commit (null: legacy order). A confirmed order is on the buffer board once it is due (at or before computedAt); released and in-progress ones always are.',
      }),
      lateByMinutes: z
        .number()
        .int()
        .nullable()
        .meta({ description: 'Projected finish past the end of the promised day (wall-clock minutes); null: no finish within reach.' }),
    }),
  ),
});

export { zoneCounts as ZoneCounts };
