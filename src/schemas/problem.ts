import { z } from 'zod';
import type { ProblemKind } from '../domain/errors.ts';
import { isoInstant, localDate } from './common.ts';
import { CapacityNeeded, CapacityProposal } from './promising.ts';

export const PROBLEM_BASE = 'https://drumbeat.dev/problems/';

export const problemTitles: Record<ProblemKind, [status: number, title: string]> = {
  'validation-error': [400, 'Validation error'],
  'malformed-json': [400, 'Malformed JSON'],
  unauthorized: [401, 'Unauthorized'],
  forbidden: [403, 'Forbidden'],
  'not-found': [404, 'Not found'],
  conflict: [409, 'Conflict'],
  'schedule-infeasible': [409, 'Schedule infeasible'],
  'no-capacity-within-horizon': [409, 'No capacity within the planning horizon'],
  'precondition-failed': [412, 'Precondition failed'],
  'payload-too-large': [413, 'Payload too large'],
  'unsupported-media-type': [415, 'Unsupported media type'],
  'idempotency-key-reused': [422, 'Idempotency key reused'],
  'hold-policy': [422, "Refused by the plant's hold policy"],
  'requested-date-keepable': [409, 'The requested date can be kept now'],
  'capacity-request-stale': [409, 'The proposal no longer buys the requested date'],
  'capacity-request-closed': [409, 'The capacity request is no longer open'],
  'scenario-expired': [410, 'Scenario expired'],
  'scenario-operation-failed': [409, 'Scenario operation no longer fits'],
  'rate-limited': [429, 'Too many requests'],
  'service-unavailable': [503, 'Service unavailable'],
  'internal-error': [500, 'Internal error'],
};

const FieldErrorSchema = z
  .object({
    field: z.string().meta({ example: 'body.quantity' }),
    message: z.string().meta({ example: 'Too small: expected number to be >0' }),
  })
  .meta({ id: 'FieldError' });

const problemFields = {
  type: z.string().meta({ description: 'Stable URI naming the problem type.', example: `${PROBLEM_BASE}validation-error` }),
  title: z.string().meta({ example: 'Validation error' }),
  status: z.number().int().min(400).max(599).meta({ example: 400 }),
  detail: z.string().meta({ example: 'The request has invalid fields.' }),
  instance: z.string().optional(),
  requestId: z.string().optional().meta({ description: 'Also the X-Request-Id response header: quote it when reporting a problem.' }),
  errors: z.array(FieldErrorSchema).optional().meta({ description: 'The fields that were wrong.' }),
};

/** RFC 9457 problem details; extension members (e.g. earliestPromiseDate) may follow. */
const Problem = z.looseObject(problemFields).meta({ id: 'Problem', description: 'RFC 9457 problem details (application/problem+json).' });

/** A problem type with its own extension members: `type` is fixed, so typed clients narrow on it. */
function problemOf<S extends z.core.$ZodLooseShape>(kind: ProblemKind, id: string, description: string, extensions: S) {
  const [status, title] = problemTitles[kind];
  return z
    .looseObject({
      ...problemFields,
      type: z.literal(`${PROBLEM_BASE}${kind}`),
      title: z.string().meta({ example: title }),
      status: z.literal(status),
      ...extensions,
    })
    .meta({ id, description });
}

const lateOrder = z
  .looseObject({
    orderId: z.uuid(),
    promiseDate: localDate.nullable().optional(),
    earliestPromiseDate: z
      .string()
      .optional()
      .meta({ description: 'A local date, or "never" when the new calendar leaves no working day to ship on.' }),
    plannedFinish: isoInstant.optional(),
    lateByMinutes: z.number().int().optional(),
    drumDeadline: isoInstant.optional(),
  })
  .meta({ id: 'LateOrder', description: 'An order a change would make late.' });

const ValidationProblem = problemOf('validation-error', 'ValidationProblem', 'The request has invalid fields (listed in `errors`).', {
  planningHorizon: z
    .object({ earliest: localDate, latest: localDate })
    .optional()
    .meta({ description: 'With a date outside the planning horizon: the dates accepted.' }),
});

const ScheduleInfeasibleProblem = problemOf(
  'schedule-infeasible',
  'ScheduleInfeasibleProblem',
  'The schedule cannot keep what was asked: a promise (with the earliest date it can keep and the price of the one asked) or a capacity change (with the orders it would make late).',
  {
    earliestPromiseDate: localDate.optional(),
    requestedDate: localDate.nullable().optional(),
    heldPromiseDate: localDate.optional().meta({ description: 'A hold a recorded fact made late: the date it held.' }),
    capacityNeeded: CapacityNeeded.optional(),
    proposals: z.array(CapacityProposal).optional().meta({
      description: 'Priced capacity that would make the date keepable, or compensate a reduction; costs only for planners and admins.',
    }),
    lateOrders: z.array(lateOrder).optional(),
    ordersLosingCapacity: z
      .array(z.uuid())
      .optional()
      .meta({ description: 'Orders whose planned operation a change on a non-drum resource takes time from.' }),
  },
);

const NoCapacityProblem = problemOf(
  'no-capacity-within-horizon',
  'NoCapacityProblem',
  "The route's calendars have no room for the order within the planning horizon: a planner must add capacity.",
  { drumLoadMinutes: z.number().int().optional(), planningHorizon: localDate.optional() },
);

const ConflictProblem = problemOf(
  'conflict',
  'ConflictProblem',
  'The request conflicts with the current state (e.g. an order no longer open).',
  {
    orderStatus: z.string().optional(),
    orderId: z.uuid().optional(),
  },
);

const PreconditionFailedProblem = problemOf(
  'precondition-failed',
  'PreconditionFailedProblem',
  'The If-Match revision is stale: reload and retry.',
  { currentRevision: z.number().int().optional() },
);

const HoldPolicyProblem = problemOf(
  'hold-policy',
  'HoldPolicyProblem',
  "Refused by the plant's hold policy; nothing was shortened or written.",
  {
    limit: z.string(),
    limitValue: z.number(),
    requestedValue: z.number(),
  },
);

const RequestedDateKeepableProblem = problemOf(
  'requested-date-keepable',
  'RequestedDateKeepableProblem',
  'The requested date can be kept without extra capacity: there is nothing to ask a planner for (hold it, or re-promise the order).',
  { earliestPromiseDate: localDate.optional(), requestedDate: localDate.optional() },
);

const CapacityRequestStaleProblem = problemOf(
  'capacity-request-stale',
  'CapacityRequestStaleProblem',
  "The capacity request's proposal no longer makes its date keepable on the live plan (`reason`); nothing was applied. `proposals` are the ones that would, computed now.",
  {
    reason: z.string(),
    requestedDate: localDate.optional(),
    earliestPromiseDate: localDate.optional(),
    proposals: z.array(CapacityProposal).optional(),
  },
);

const CapacityRequestClosedProblem = problemOf(
  'capacity-request-closed',
  'CapacityRequestClosedProblem',
  'The capacity request was already accepted, declined or withdrawn, or the order it would move is no longer live (`orderStatus`: cancelled, expired, shipped).',
  {
    requestStatus: z.enum(['open', 'accepted', 'declined', 'withdrawn']),
    orderId: z.uuid().optional(),
    orderStatus: z.string().nullable().optional(),
  },
);
const ScenarioOperationFailedProblem = problemOf(
  'scenario-operation-failed',
  'ScenarioOperationFailedProblem',
  'Promoting a what-if scenario: the first operation that no longer fits the live plan, with the problem the live request answers; nothing was applied.',
  {
    operationIndex: z.number().int().min(0),
    operationType: z.string(),
    problem: z.looseObject({ type: z.string(), detail: z.string() }),
  },
);

const ScenarioExpiredProblem = problemOf('scenario-expired', 'ScenarioExpiredProblem', 'The scenario expired; create it again.', {
  expiredAt: isoInstant,
});

/**
 * The typed problems a status may carry, most specific first. The generic Problem closes each
 * list: the same schema serializes the error responses, and a problem document must never fail
 * to serialize (a 409 becoming a 500).
 */
const TYPED_PROBLEMS: Record<number, z.ZodType[]> = {
  400: [ValidationProblem],
  409: [
    ScheduleInfeasibleProblem,
    NoCapacityProblem,
    RequestedDateKeepableProblem,
    CapacityRequestStaleProblem,
    CapacityRequestClosedProblem,
    ScenarioOperationFailedProblem,
    ConflictProblem,
  ],
  410: [ScenarioExpiredProblem],
  412: [PreconditionFailedProblem],
  422: [HoldPolicyProblem],
};

/**
 * The error responses every authenticated route may return (429: rate limits), declared as
 * `application/problem+json`, the type the server sends them with.
 */
export function errorResponses(...statuses: number[]) {
  // 413, 414 and 415 can meet any operation: a stray body, an over-long path parameter.
  const all = new Set([400, 401, 403, 413, 414, 415, 429, 500, 503, ...statuses]);
  return Object.fromEntries(
    [...all].sort().map((s) => {
      const typed = TYPED_PROBLEMS[s] ?? [];
      const schema = typed.length > 0 ? z.union([...typed, Problem] as unknown as [z.ZodType, ...z.ZodType[]]) : Problem;
      return [s, { description: describeStatus(s), content: { 'application/problem+json': { schema } } }];
    }),
  );
}

function describeStatus(status: number): string {
  if (status === 414) return 'Problem (uri-too-long)';
  const kinds = Object.entries(problemTitles)
    .filter(([, [s]]) => s === status)
    .map(([kind]) => kind);
  return `Problem (${kinds.join(', ')})`;
}
