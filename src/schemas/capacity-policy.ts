import { z } from 'zod';
import { DEFAULT_RESOURCE_CAPACITY_POLICY as D } from '../engine/capacity-policy.ts';
import { clockTime, code, isoInstant } from './common.ts';

const minutes = (max: number) => z.number().int().min(0).max(max);
const cost = z.number().min(0).max(1_000_000).meta({ description: "Cost per hour in the plant's currency." });
const window = z.strictObject({ start: clockTime, end: clockTime }).refine((w) => w.start < w.end || w.end === '24:00', {
  message: 'end must be after start',
  path: ['end'],
});
const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

/** Every field defaults to the README's defaults, so a planner writes only what differs. */
const ResourceCapacityPolicy = z
  .strictObject({
    overtime: z
      .strictObject({
        beforeShiftMinutes: minutes(720).default(D.overtime.beforeShiftMinutes),
        afterShiftMinutes: minutes(720).default(D.overtime.afterShiftMinutes),
        costPerHour: cost.default(D.overtime.costPerHour),
      })
      .prefault({})
      .meta({ description: 'Overtime right before the first / after the last shift of a working day (0: none).' }),
    extraShift: z
      .strictObject({
        enabled: z.boolean().default(D.extraShift.enabled),
        start: clockTime.nullable().default(D.extraShift.start),
        end: clockTime.nullable().default(D.extraShift.end),
        costPerHour: cost.default(D.extraShift.costPerHour),
      })
      .prefault({})
      .meta({ description: "An extra shift on a rest day; start/end null: the resource's regular shift (its most frequent weekly one)." }),
    nightShift: z
      .strictObject({
        enabled: z.boolean().default(D.nightShift.enabled),
        start: clockTime.default(D.nightShift.start),
        end: clockTime.default(D.nightShift.end),
        costPerHour: cost.default(D.nightShift.costPerHour),
      })
      .prefault({})
      .meta({ description: 'Night work in [start, 24:00) and [00:00, end) of a day where no shift runs; off unless enabled.' }),
    windows: z.partialRecord(z.enum(weekdays), z.array(window).max(8)).nullable().default(D.windows).meta({
      description: 'Extra capacity only inside these local windows on the weekdays listed ([]: none that day); null: no restriction.',
    }),
    minBlockMinutes: z.number().int().min(1).max(1440).default(D.minBlockMinutes),
    maxBlockMinutes: z.number().int().min(1).max(1440).nullable().default(D.maxBlockMinutes),
    maxPerDayMinutes: z.number().int().min(1).max(1440).nullable().default(D.maxPerDayMinutes),
    maxPerWeekMinutes: z
      .number()
      .int()
      .min(1)
      .max(10_080)
      .nullable()
      .default(D.maxPerWeekMinutes)
      .meta({ description: 'Per ISO week (Monday to Sunday).' }),
  })
  .refine((p) => p.maxBlockMinutes === null || p.maxBlockMinutes >= p.minBlockMinutes, {
    message: 'must be at least minBlockMinutes',
    path: ['maxBlockMinutes'],
  });

export const CapacityPolicyPut = z
  .strictObject({
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, 'Use an ISO 4217 code, e.g. EUR')
      .default('XXX')
      .meta({ description: 'ISO 4217 code of every cost; default "XXX" (no currency: relative costs).' }),
    defaults: ResourceCapacityPolicy.prefault({}).meta({ description: 'For every resource not listed in `resources`.' }),
    resources: z.record(code, ResourceCapacityPolicy).default({}).meta({ description: 'Per resource id.' }),
  })
  .meta({
    example: {
      currency: 'EUR',
      defaults: { overtime: { afterShiftMinutes: 120, costPerHour: 55 }, extraShift: { costPerHour: 70 } },
      resources: { cnc: { nightShift: { enabled: true, costPerHour: 90 } } },
    },
  });

export const CapacityPolicy = z.object({
  currency: z.string(),
  defaults: ResourceCapacityPolicy,
  resources: z.record(z.string(), ResourceCapacityPolicy),
  revision: z.number().int().meta({ description: 'Also the ETag; 0 while the plant uses the defaults.' }),
  updatedAt: isoInstant.nullable(),
  updatedBy: z.string().nullable(),
});
