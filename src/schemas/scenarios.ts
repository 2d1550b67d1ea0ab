import { z } from 'zod';
import { code, isoInstant, localDate, slug, text } from './common.ts';
import { CapacityChangeCreate } from './planning.ts';

const reason = text.min(1).max(500).meta({ example: 'customer agreed to the later date' });

const CapacityChangeOperation = z
  .strictObject({
    type: z.literal('capacity-change'),
    change: CapacityChangeCreate.meta({ description: 'The body of POST …/capacity-changes (one day, a weekly range or blocks).' }),
  })
  .meta({ id: 'ScenarioCapacityChange' });

const RevokeOperation = z
  .strictObject({
    type: z.literal('revoke-capacity-change'),
    id: z.uuid().meta({ description: 'A capacity change in force (a ranged one is revoked whole).' }),
    reason: reason.optional(),
  })
  .meta({ id: 'ScenarioRevokeCapacityChange' });

const RepromiseOperation = z
  .strictObject({ type: z.literal('repromise'), orderId: z.uuid(), promiseDate: localDate, reason })
  .meta({ id: 'ScenarioRepromise' });

const HypotheticalOrderOperation = z
  .strictObject({
    type: z.literal('hypothetical-order'),
    sku: code,
    quantity: z.number().int().positive(),
    requestedDate: localDate.optional().meta({ description: 'Placed at this date when the schedule can keep it, else at its earliest.' }),
  })
  .meta({
    id: 'ScenarioHypotheticalOrder',
    description: 'An order that exists only inside the scenario: no event, no quote record, no hold cap, never promoted.',
  });

const ScenarioOperation = z
  .discriminatedUnion('type', [CapacityChangeOperation, RevokeOperation, RepromiseOperation, HypotheticalOrderOperation])
  .meta({ id: 'ScenarioOperation' });

const operations = z.array(ScenarioOperation).max(50).meta({ description: 'Applied in this order; at most 50.' });
const name = text.min(1).max(200).meta({ example: 'Second shift in December' });

export const ScenarioCreate = z.strictObject({ name, operations });
export const ScenarioChange = z
  .strictObject({ name: name.optional(), operations: operations.optional() })
  .refine((b) => b.name !== undefined || b.operations !== undefined, { message: 'Give `name`, `operations` or both' });

export const ScenarioParams = z.strictObject({ plant: slug, id: z.uuid() });

export const Scenario = z
  .object({
    id: z.uuid(),
    plant: z.string(),
    name: z.string(),
    status: z.enum(['open', 'promoted', 'expired']),
    revision: z.number().int().meta({ description: 'Moves on every change; also the ETag (If-Match of PATCH and DELETE).' }),
    operations: z.array(ScenarioOperation),
    createdBy: z.string(),
    createdAt: isoInstant,
    updatedAt: isoInstant,
    expiresAt: isoInstant.meta({ description: 'SCENARIO_TTL_DAYS after its last change; then 410.' }),
    promotedAt: isoInstant.nullable(),
    promotedBy: z.string().nullable(),
    promotedVersion: z.number().int().nullable(),
  })
  .meta({ id: 'Scenario' });

export const ScenarioList = z.object({ items: z.array(Scenario), maxOpen: z.number().int() });

export const EvaluationQuery = z.strictObject({
  weeks: z.coerce.number().int().min(1).max(26).default(6).meta({ description: 'Weeks of load compared per resource, from this one.' }),
  quoteQuantity: z.coerce
    .number()
    .int()
    .min(1)
    .max(1_000_000)
    .default(1)
    .meta({ description: 'Quantity of the standard quote per product (projected quoted lead time).' }),
});

const Problem = z.looseObject({ type: z.string(), detail: z.string() });
const LoadCell = z.object({ loadMinutes: z.number(), capacityMinutes: z.number() });
const Kpis = z.object({
  openPromises: z.number().int(),
  keepablePromises: z.number().int().meta({ description: 'Open orders whose plan finishes by the end of their promised day.' }),
  keepableShare: z.number().nullable(),
  quotedLeadTimeDays: z.array(z.object({ sku: z.string(), days: z.number().int().nullable() })),
  averageQuotedLeadTimeDays: z.number().nullable(),
  capacityCost: z.number().meta({
    description:
      'Overtime and extra shifts in force from today, priced as proposals are: the working minutes each adds on its resource calendar (none where a shift already works or downtime cancels it) times the capacity policy cost per hour of its kind.',
  }),
  currency: z.string(),
});

export const ScenarioEvaluation = z
  .object({
    scenarioId: z.uuid(),
    revision: z.number().int(),
    scheduleVersion: z.number().int().meta({ description: 'The live schedule version compared with (If-Match of the promotion).' }),
    evaluatedAt: isoInstant,
    operations: z.array(
      z.object({
        index: z.number().int(),
        type: z.string(),
        applied: z.boolean(),
        effect: z.record(z.string(), z.unknown()).nullable(),
        problem: Problem.nullable().meta({
          description:
            'Why it did not apply, or why the live request refuses what applied here (refusedLive): the problem the live request would answer.',
        }),
        refusedLive: z.boolean().meta({
          description:
            'True when the operation applied in this what-if although the live request, and so a promotion, refuses it: a capacity reduction that makes orders late, applied here with those orders in effect.ordersMadeLate.',
        }),
        refusedOnlyWithHypotheticalOrders: z.boolean().meta({
          description:
            "True when the operation is refused here only because of the scenario's hypothetical orders: without them it applies, and promotion (which skips hypothetical orders) applies it.",
        }),
        note: z.string().optional().meta({ description: 'Why refusedLive or refusedOnlyWithHypotheticalOrders is set.' }),
      }),
    ),
    ordersMoved: z.array(
      z.object({
        orderId: z.uuid(),
        promiseDate: z.object({ live: z.string(), scenario: z.string() }),
        plannedFinish: z.object({ live: isoInstant.nullable(), scenario: isoInstant.nullable() }),
      }),
    ),
    ordersMovedCount: z.number().int(),
    ordersMadeLate: z.array(z.object({ orderId: z.uuid(), promiseDate: z.string(), plannedFinish: isoInstant.nullable() })),
    load: z.array(
      z.object({
        resource: z.string(),
        weeks: z.array(z.object({ week: localDate, live: LoadCell.nullable(), scenario: LoadCell })),
      }),
    ),
    kpis: z.object({ live: Kpis, scenario: Kpis }),
    hypotheticalOrders: z.array(
      z.object({
        index: z.number().int(),
        sku: z.string(),
        quantity: z.number().int(),
        requestedDate: localDate.nullable(),
        promiseDate: localDate.nullable(),
        plannedFinish: isoInstant.nullable(),
      }),
    ),
  })
  .meta({ id: 'ScenarioEvaluation' });

export const ScenarioPromotion = z
  .object({
    scenario: Scenario,
    applied: z.array(z.object({ index: z.number().int(), type: z.string(), effect: z.record(z.string(), z.unknown()) })),
    skippedHypotheticalOrders: z.array(z.number().int()),
    scheduleVersion: z.number().int(),
  })
  .meta({ id: 'ScenarioPromotion' });
