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
          loadMinutes: z.number(),
          capacityMinutes: z.number().int(),
          utilisation: z.number().nullable().meta({ description: 'load / capacity; null when there is load but no capacity' }),
          overThreshold: z.boolean(),
        }),
      ),
      flagged: z
        .boolean()
        .meta({ description: 'A non-drum resource above the threshold in some period: a possible wandering bottleneck.' }),
    }),
  ),
  possibleWanderingBottlenecks: z.array(z.string()),
});

export const KpiQuery = z.strictObject({ from: localDate, to: localDate });

export const KpiResponse = z.object({
  plant: z.string(),
  from: localDate,
  to: localDate,
  computedAt: isoInstant,
  promises: z.object({ shipped: z.number().int(), kept: z.number().int(), keptPercent: z.number().nullable() }),
  quotedLeadTimeDays: z.object({ quotes: z.number().int(), mean: z.number().nullable(), p90: z.number().nullable() }),
  repromises: z.number().int(),
  quotes: z.object({ answered: z.number().int(), converted: z.number().int(), conversionPercent: z.number().nullable() }),
  completedByZone: ZoneCounts,
});

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
  effectiveLeadTimeChanges: EffectiveLeadTimeChanges.meta({
    description:
      'Preview: the products whose effective lead time (max(standard lead time, production buffer)) applying this suggestion would move, from → to.',
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
  scheduleVersion: z.number().int(),
});
