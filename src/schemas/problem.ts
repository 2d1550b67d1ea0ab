import { z } from 'zod';
import type { ProblemKind } from '../domain/errors.ts';

export const PROBLEM_BASE = 'https://drumbeat.dev/problems/';

const FieldErrorSchema = z.object({
  field: z.string().meta({ example: 'body.quantity' }),
  message: z.string().meta({ example: 'Too small: expected number to be >0' }),
});

/** RFC 9457 problem details; extension members (e.g. earliestPromiseDate) may follow. */
const ProblemSchema = z
  .looseObject({
    type: z.string().meta({ example: `${PROBLEM_BASE}validation-error` }),
    title: z.string().meta({ example: 'Validation error' }),
    status: z.number().int().meta({ example: 400 }),
    detail: z.string().meta({ example: 'The request has invalid fields.' }),
    instance: z.string().optional(),
    requestId: z.string().optional(),
    errors: z.array(FieldErrorSchema).optional(),
  })
  .meta({ description: 'RFC 9457 problem details (application/problem+json).' });

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
  'rate-limited': [429, 'Too many requests'],
  'service-unavailable': [503, 'Service unavailable'],
  'internal-error': [500, 'Internal error'],
};

/** The error responses every authenticated route may return (429: rate limits), for the OpenAPI document. */
export function errorResponses(...statuses: number[]) {
  const all = new Set([400, 401, 403, 429, 503, ...statuses]);
  return Object.fromEntries([...all].sort().map((s) => [s, ProblemSchema.describe(describeStatus(s))])) as Record<
    number,
    typeof ProblemSchema
  >;
}

function describeStatus(status: number): string {
  const kinds = Object.entries(problemTitles)
    .filter(([, [s]]) => s === status)
    .map(([kind]) => kind);
  return `Problem (${kinds.join(', ')})`;
}
