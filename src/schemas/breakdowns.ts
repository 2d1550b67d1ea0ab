import { z } from 'zod';
import { code, isoInstant, localDate, slug, text } from './common.ts';

const reason = text.min(1).max(500).meta({ example: 'spindle bearing failed' });

export const BreakdownCreate = z
  .strictObject({
    resource: code,
    start: isoInstant.meta({ description: 'When the resource went down; may be in the past (up to 366 days).' }),
    expectedEnd: isoInstant.meta({
      description: 'When it is expected back; required: planning needs it. Extend or close it later (PATCH).',
    }),
    reason,
  })
  .meta({
    example: { resource: 'cnc', start: '2026-11-23T09:30:00Z', expectedEnd: '2026-11-24T14:00:00Z', reason: 'spindle bearing failed' },
  });

export const BreakdownPatch = z
  .strictObject({
    expectedEnd: isoInstant.optional().meta({ description: 'A new expected end (later: extended; earlier: shortened).' }),
    endedAt: isoInstant.optional().meta({ description: 'The resource is back: the breakdown is closed (no later than now).' }),
    reason: reason.optional(),
  })
  .meta({ example: { expectedEnd: '2026-11-25T10:00:00Z' } });

export const BreakdownParams = z.strictObject({ plant: slug, id: z.uuid() });

export const BreakdownListQuery = z.strictObject({
  open: z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => v === 'true')
    .meta({ description: 'true: only breakdowns not closed.' }),
});

const Breakdown = z.object({
  id: z.uuid(),
  resource: z.string(),
  start: isoInstant,
  expectedEnd: isoInstant,
  endedAt: isoInstant.nullable(),
  reason: z.string(),
  createdBy: z.string(),
});

const LateByFact = z.object({
  orderId: z.uuid(),
  promiseDate: localDate.meta({ description: 'Unchanged: a planner re-promises explicitly.' }),
  earliestPromiseDate: z.string().meta({
    description:
      'The earliest date the schedule can keep now (the day its plan ends for an order on the drum or frozen; "never": no room).',
  }),
  projectedFinish: isoInstant.nullable().meta({ description: 'Where its plan now ends; null: no date within reach.' }),
});

export const BreakdownOutcome = z.object({
  breakdown: Breakdown,
  lateOrders: z
    .array(LateByFact)
    .meta({ description: 'Orders the breakdown made late, planned at their earliest date: at risk until re-promised.' }),
  scheduleVersion: z.number().int(),
});

export const BreakdownList = z.object({ items: z.array(Breakdown) });
