import { z } from 'zod';
import { code, isoInstant, localDate, text } from './common.ts';
import { EffectiveLeadTimeChanges } from './master-data.ts';
import { ZoneCounts } from './planning.ts';

export const LoadQuery = z.strictObject({
  from: localDate,
  to: localDate,
  granularity: z.enum(['day', 'week']).default('day'),
  threshold: z.coerce
    .number()
    .gt(0)
    .max(10)
    .default(0.85)
    .meta({ description: 'Utilisation above which a non-drum resource is flagged (default 0.85).' }),
});

export const LoadResponse = z.object({
  plant: z.string(),
  from: localDate,
  to: localDate,
  granularity: z.enum(['day', 'week']),
  threshold: z.number(),
  scheduleVersion: z.number().int(),
  computedAt: isoInstant,
  resources: z.array(
    z.object({
      resource: z.string(),
      name: z.string(),
      drum: z.boolean(),
      periods: z.array(
        z.object({
          start: localDate,
          end: localDate,
          loadMinutes: z.number().meta({
            description:
              'Working minutes of the planned intervals (GET …/plan, every open order) on this resource inside the period, counted on its own calendar: an operation spanning a night or weekend is split where its working minutes fall (600 minutes from Monday 06:00 on a 06:00–14:00 shift: 480 on Monday, 120 on Tuesday). The drum and the other resources alike; planned intervals before now count too.',
            example: 480,
          }),
          capacityMinutes: z
            .number()
            .int()
            .meta({ description: 'Working minutes of the resource’s calendar in the period, with capacity changes.', example: 480 }),
          utilisation: z.number().nullable().meta({ description: 'load / capacity; null when there is load but no capacity' }),
          overThreshold: z.boolean(),
        }),
      ),
      unreservedMinutes: z.number().int().meta({
        description:
          'Minutes of operations on this resource of orders promised before whole-route planning that hold no reservation: they have no planned interval, so they are in no period. (Orders with no operation snapshot at all are known by their drum load only and show on the drum alone.)',
        example: 0,
      }),
      usableCapacity: z
        .object({
          minutes: z.number().int().meta({ description: 'Free minutes in stretches at least `medianOperationMinutes` long.' }),
          freeMinutes: z.number().int().meta({ description: 'Every free working minute; freeMinutes − minutes is lost to fragmentation.' }),
          medianOperationMinutes: z.number().int().nullable().meta({
            description:
              'The median (lower) of the resource’s planned operations; null when none is planned (then every free minute is usable).',
          }),
        })
        .meta({
          description:
            'Free working minutes of the resource from now to the end of `to`: its working time after now is cut by its planned intervals into maximal free stretches, each measured in its working minutes (a stretch may span nights, as an operation may; the one after the last planned interval is unbounded). A stretch at least as long as the median planned operation is usable; its minutes inside the requested days count. A resource at 70 % load whose free time is slivers shorter than its operations quotes as if full: usable capacity shows it.',
          example: { minutes: 1440, freeMinutes: 1500, medianOperationMinutes: 240 },
        }),
      flagged: z.boolean().meta({
        description: 'A non-drum resource above the threshold in some period (by the planned intervals): a possible wandering bottleneck.',
      }),
    }),
  ),
  possibleWanderingBottlenecks: z.array(z.string()),
});

export const KpiQuery = z.strictObject({
  from: localDate,
  to: localDate,
  granularity: z.enum(['day', 'week', 'month']).optional().meta({
    description: 'Also break the KPIs down per plant-local day, ISO week (Monday–Sunday) or calendar month, clipped to [from, to].',
  }),
  groupBy: z.enum(['product', 'customer', 'salesperson']).optional().meta({
    description:
      'Also break the KPIs down per product (sku), customer (the free-text name) or salesperson (the principal, the person behind the keys, that owns the order or asked the quote).',
  }),
});

const Spread = z.object({
  orders: z.number().int(),
  mean: z.number().nullable(),
  p50: z.number().nullable().meta({ description: 'Nearest-rank median.' }),
  p90: z.number().nullable().meta({ description: 'Nearest-rank 90th percentile.' }),
});

const KpiFigures = {
  promises: z
    .object({
      shipped: z.number().int(),
      kept: z.number().int().meta({ description: 'Shipped by the end of the original promise day (the first confirmed date).' }),
      keptPercent: z.number().nullable(),
      keptAgainstLatest: z.number().int().meta({ description: 'Shipped by the end of the latest (re-promised) date.' }),
      keptAgainstLatestPercent: z.number().nullable(),
    })
    .meta({
      description: 'Orders shipped in the window (by ship date). A re-promise never turns a late shipment into a kept promise in `kept`.',
    }),
  quotedLeadTimeDays: z.object({ quotes: z.number().int(), mean: z.number().nullable(), p90: z.number().nullable() }),
  repromises: z.number().int().meta({ description: 'Re-promises in the window, all initiators.' }),
  repromisesByInitiator: z
    .object({ plant: z.number().int(), customer: z.number().int(), erp: z.number().int() })
    .meta({ description: '`erp`: an ERP push that moved a date later. Re-promises recorded before initiators count as `plant`.' }),
  customerChanges: z
    .number()
    .int()
    .meta({ description: 'ERP pushes that moved a date earlier or changed the quantity or product of an open order.' }),
  quotes: z
    .object({
      answered: z.number().int(),
      converted: z
        .number()
        .int()
        .meta({ description: 'Quotes answered in the window that a confirmed order names by `quoteId` (each once).' }),
      conversionPercent: z.number().nullable().meta({ description: 'converted ÷ answered; never above 100.' }),
    })
    .meta({ description: 'By the date the quote was answered; an order placed later still converts its quote.' }),
  completedByZone: ZoneCounts,
  wip: z.object({
    orders: z.number().int().meta({
      description: 'Released and not completed (nor cancelled) at the end of the last day (today for a window not yet over).',
    }),
  }),
  flowTimeDays: z
    .object({
      entryToShipment: Spread.meta({ description: 'Order entry (confirmed) to shipment, of orders shipped in the window.' }),
      releaseToCompletion: Spread.meta({ description: 'Material release to completion, of orders completed in the window.' }),
    })
    .meta({ description: 'Elapsed calendar days (fractional, two decimals).' }),
};

export const KpiResponse = z.object({
  plant: z.string(),
  from: localDate,
  to: localDate,
  computedAt: isoInstant,
  ...KpiFigures,
  granularity: z.enum(['day', 'week', 'month']).nullable().optional(),
  groupBy: z.enum(['product', 'customer', 'salesperson']).nullable().optional(),
  breakdown: z
    .array(
      z.object({
        period: z
          .string()
          .nullable()
          .meta({ description: '`2026-12-03`, `2026-W49` or `2026-12`; null without granularity.', example: '2026-W49' }),
        from: localDate,
        to: localDate,
        key: z
          .string()
          .nullable()
          .meta({ description: 'The product, customer or salesperson; null without groupBy or when the order has none.' }),
        ...KpiFigures,
      }),
    )
    .optional()
    .meta({
      description:
        'Present when granularity or groupBy is given. Without groupBy every period is listed, empty ones too; with it, only the period and key pairs that have a fact.',
    }),
});

export const QuoteListQuery = z.strictObject({
  from: localDate,
  to: localDate,
  sku: code.optional(),
  customer: text.max(200).optional(),
  salesperson: text.max(200).optional().meta({ description: 'The principal that asked (as shown by GET /v1/api-keys).' }),
  converted: z.enum(['true', 'false']).optional().meta({ description: 'Only quotes a confirmed order names (true) or none does (false).' }),
  cursor: text.max(200).optional().meta({ description: 'The nextCursor of the previous page.' }),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const QuoteList = z.object({
  items: z.array(
    z.object({
      id: z.uuid(),
      at: isoInstant,
      actor: z.string(),
      salesperson: z.string().nullable(),
      customer: z.string().nullable(),
      sku: z.string(),
      quantity: z.number().int(),
      requestedDate: localDate.nullable(),
      earliestPromiseDate: localDate,
      requestedDateFeasible: z.boolean().nullable(),
      drumLoadMinutes: z.number().int(),
      scheduleVersion: z.number().int(),
      converted: z.boolean(),
    }),
  ),
  nextCursor: z.string().nullable(),
});

const RopeChange = z.object({ from: z.number().int(), to: z.number().int() });

const BufferSuggestion = z.object({
  sku: z.string().nullable().meta({ description: 'null: the plant buffer policy; else a product with its own buffer.' }),
  currentDays: z.number().int(),
  suggestedDays: z.number().int().nullable(),
  direction: z.enum(['grow', 'shrink']).nullable(),
  reason: z.string(),
  window: z.object({ from: localDate, to: localDate }),
  completed: z.number().int(),
  zones: ZoneCounts,
  coolingUntil: localDate.nullable(),
  bounds: z.object({ minDays: z.number().int(), maxDays: z.number().int() }).meta({
    description: 'The range DBM keeps the buffer in: at least one working day, at most 3 × the shipping buffer.',
  }),
  excluded: z.number().int().meta({
    description: 'Completions in the window of orders promised under an earlier buffer (or before the last change): not judged.',
  }),
  effectiveLeadTimeChanges: EffectiveLeadTimeChanges.meta({
    description:
      'Preview: the products whose effective lead time (max(standard lead time, production buffer)) applying this suggestion would move, from → to.',
  }),
  ropeChange: RopeChange.nullable().meta({
    description:
      'Preview: orders promised after the change are released `to` working days before their promise (was `from`); open orders keep the buffer they were promised with.',
  }),
});

export const BufferSuggestions = z.object({
  plant: z.string(),
  scheduleVersion: z.number().int(),
  computedAt: isoInstant,
  items: z.array(BufferSuggestion),
});

export const BufferSuggestionApply = z
  .strictObject({
    sku: code.nullable().optional().meta({ description: 'Omit or null for the plant buffer.' }),
    productionBufferDays: z.number().int().min(1).max(365).meta({ description: 'The suggested value being applied.' }),
    reason: text.min(1).max(500).optional(),
  })
  .meta({ example: { productionBufferDays: 5 } });

export const BufferChange = z.object({
  sku: z.string().nullable(),
  from: z.number().int(),
  to: z.number().int(),
  direction: z.enum(['grow', 'shrink']).nullable(),
  reason: z.string(),
  evidence: z.object({ completed: z.number().int(), zones: ZoneCounts, window: z.object({ from: localDate, to: localDate }) }),
  effectiveLeadTimeChanges: EffectiveLeadTimeChanges,
  ropeChange: RopeChange.nullable(),
  scheduleVersion: z.number().int(),
});
