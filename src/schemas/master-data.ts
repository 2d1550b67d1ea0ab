import { z } from 'zod';
import { clockTime, code, isoInstant, localDate, slug, text, timeZone } from './common.ts';

export const PlantCreate = z
  .strictObject({
    id: slug.meta({ example: 'plant-1' }),
    name: text.min(1).max(200).meta({ example: 'Valve works, Linz' }),
    timeZone,
  })
  .meta({ example: { id: 'plant-1', name: 'Valve works, Linz', timeZone: 'Europe/Vienna' } });

export const Plant = z.object({
  id: z.string(),
  name: z.string(),
  timeZone: z.string(),
  scheduleVersion: z.number().int(),
  createdAt: isoInstant,
});

const weekday = z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);

const WeeklyShiftSchema = z.strictObject({ day: weekday, start: clockTime, end: clockTime });

const CalendarExceptionSchema = z.strictObject({
  kind: z.enum(['holiday', 'downtime', 'overtime', 'extra_shift']),
  date: localDate,
  start: clockTime.optional(),
  end: clockTime.optional(),
  note: text.max(500).optional(),
});

const CalendarInput = z
  .strictObject({
    weekly: z.array(WeeklyShiftSchema).max(200),
    exceptions: z.array(CalendarExceptionSchema).max(5000).default([]),
  })
  .meta({
    description: 'Weekly shift pattern in the plant time zone plus dated exceptions.',
    example: {
      weekly: [
        { day: 'mon', start: '06:00', end: '14:00' },
        { day: 'mon', start: '14:00', end: '22:00' },
      ],
      exceptions: [{ kind: 'holiday', date: '2026-12-25' }],
    },
  });

export const ResourceParams = z.strictObject({ plant: slug, resource: code });

export const ResourcePut = z.strictObject({
  name: text.min(1).max(200),
  drum: z.boolean().default(false).meta({ description: "The plant's constraint (CCR). Exactly one per plant." }),
  calendar: CalendarInput,
});

export const Resource = z.object({
  id: z.string(),
  name: z.string(),
  drum: z.boolean(),
  calendar: z.object({ weekly: z.array(WeeklyShiftSchema), exceptions: z.array(CalendarExceptionSchema) }),
  revision: z.number().int(),
  updatedAt: isoInstant,
});

export const ProductParams = z.strictObject({ plant: slug, sku: code });

const minutes = z.number().min(0).max(100_000);

const OperationSchema = z.strictObject({
  resource: code,
  setupMinutes: minutes,
  runMinutesPerUnit: minutes,
});

export const ProductPut = z.strictObject({
  name: text.min(1).max(200),
  routing: z.array(OperationSchema).min(1).max(100),
  productionBufferDays: z.number().int().min(1).max(365).optional(),
  shippingBufferDays: z.number().int().min(0).max(365).optional(),
  standardLeadTimeDays: z.number().int().min(0).max(730).optional().meta({
    description:
      "Working days; default: the plant's. May not be shorter than the product's production buffer (its own, else the plant's): 400.",
  }),
});

/** Products whose effective lead time a change moves; a buffer that grows past a lead time raises it. */
export const EffectiveLeadTimeChanges = z
  .array(z.object({ sku: z.string(), from: z.number().int(), to: z.number().int() }))
  .meta({ description: 'Products whose effective lead time (working days) this change moves, from → to.' });

export const Product = z.object({
  sku: z.string(),
  name: z.string(),
  routing: z.array(z.object({ resource: z.string(), setupMinutes: z.number(), runMinutesPerUnit: z.number() })),
  productionBufferDays: z.number().int().nullable(),
  shippingBufferDays: z.number().int().nullable(),
  standardLeadTimeDays: z.number().int().nullable().meta({ description: "The product's own standard lead time; null: the plant's." }),
  effectiveLeadTimeDays: z.number().int().meta({
    description:
      "max(standard lead time, production buffer), each the product's own or else the plant's: no quote is earlier than now + this many working days, so an order promised at it starts green.",
  }),
  updatedAt: isoInstant,
});

export const ProductPutResult = Product.extend({ effectiveLeadTimeChanges: EffectiveLeadTimeChanges });

export const BufferPolicyPut = z
  .strictObject({
    productionBufferDays: z.number().int().min(1).max(365),
    shippingBufferDays: z
      .number()
      .int()
      .min(0)
      .max(365)
      .optional()
      .meta({ description: 'Default: half the production buffer, rounded up.' }),
    standardLeadTimeDays: z.number().int().min(0).max(730).optional().meta({
      description:
        'Default: the production buffer. A value below the production buffer is kept but the effective lead time is max(standard lead time, production buffer).',
    }),
    holdTtlSeconds: z.number().int().min(10).max(2_592_000).optional().meta({ description: 'Default: 900 (15 minutes).' }),
    maxHoldTtlSeconds: z.number().int().min(10).max(2_592_000).optional().meta({
      description:
        'The longest TTL a hold may ask for; longer is refused (422 hold-policy), never shortened. At least holdTtlSeconds. Default: 86400 (one day), or holdTtlSeconds when that is longer.',
    }),
    holdCapDrumMinutes: z.number().int().min(1).max(100_000_000).nullable().optional().meta({
      description:
        'Most drum minutes one principal (person or system) may hold at once in this plant, over all its live holds; a hold that would pass it is refused (422 hold-policy). null: no cap; omitted: unchanged.',
    }),
    frozenWindowMinutes: z.number().int().min(0).max(100_000).optional(),
    atRiskToleranceMinutes: z.number().int().min(0).max(10_080).optional().meta({
      description:
        'An order is at risk once its projected completion ends more than this after the end of its promised day. Default: 0; kept when absent.',
    }),
    atRiskRecoveryMinutes: z.number().int().min(0).max(10_080).optional().meta({
      description:
        'An at-risk order is on track again only once its projection is back inside its promised day by at least this (hysteresis). Default: 240; kept when absent.',
    }),
  })
  .meta({ example: { productionBufferDays: 10, shippingBufferDays: 5, standardLeadTimeDays: 10, holdTtlSeconds: 900 } });

export const BufferPolicy = z.object({
  productionBufferDays: z.number().int(),
  shippingBufferDays: z.number().int(),
  standardLeadTimeDays: z.number().int(),
  effectiveLeadTimeDays: z
    .number()
    .int()
    .meta({ description: 'max(standard lead time, production buffer): the lead time of a product without its own overrides.' }),
  holdTtlSeconds: z.number().int(),
  maxHoldTtlSeconds: z.number().int(),
  holdCapDrumMinutes: z.number().int().nullable(),
  frozenWindowMinutes: z.number().int(),
  atRiskToleranceMinutes: z.number().int(),
  atRiskRecoveryMinutes: z.number().int(),
  revision: z.number().int(),
  updatedAt: isoInstant,
});

export const BufferPolicyPutResult = BufferPolicy.extend({ effectiveLeadTimeChanges: EffectiveLeadTimeChanges });
