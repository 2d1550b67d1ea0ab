import { z } from 'zod';
import { isoInstant, localDate } from './common.ts';

export const TimelineQuery = z.strictObject({
  from: localDate.optional().meta({ description: 'First local date (plant time zone); default today.' }),
  to: localDate.optional().meta({ description: 'Last local date, inclusive; default 28 days after `from`. At most 92 days per request.' }),
});

const Stretch = z.object({ start: isoInstant, end: isoInstant });

const PlannedInterval = z
  .object({
    orderId: z.uuid(),
    status: z.enum(['held', 'confirmed', 'released', 'in_progress']),
    holdExpiresAt: isoInstant.nullable().meta({ description: 'A hold: when it expires and its capacity returns; otherwise null.' }),
    start: isoInstant,
    end: isoInstant.nullable().meta({ description: 'null: the operation finds no end on the calendar (no capacity ahead).' }),
    minutes: z.number().int().meta({ description: 'Working minutes of the operation (on its resource’s calendar).' }),
    position: z.number().int().meta({ description: 'The operation’s position in the order’s routing.' }),
  })
  .meta({ id: 'TimelineInterval' });

export const Timeline = z
  .object({
    plant: z.string(),
    from: localDate,
    to: localDate,
    plantVersion: z.number().int().meta({ description: 'The schedule version the plan is of (also the ETag, with the range).' }),
    computedAt: isoInstant,
    frozenUntil: isoInstant.meta({
      description: 'End of the frozen window from now: orders planned before it are not moved by new promises.',
    }),
    resources: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        isDrum: z.boolean(),
        calendar: z
          .array(Stretch)
          .meta({ description: 'Working stretches of the resource’s calendar (with capacity changes) in the range.' }),
        intervals: z.array(PlannedInterval).meta({ description: 'Planned operations on the resource meeting the range, by start.' }),
        overloadedDays: z
          .array(z.object({ date: localDate, loadMinutes: z.number().int(), capacityMinutes: z.number().int() }))
          .meta({ description: 'Days whose planned load exceeds the day’s capacity (as in GET …/load).' }),
      }),
    ),
  })
  .meta({ id: 'Timeline' });
