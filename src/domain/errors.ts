export { describeDbError, isDatabaseUnavailable } from '../db/errors.ts';

/**
 * Domain errors: thrown by use cases, mapped to problem+json by one HTTP error handler.
 * `kind` is stable: it becomes the problem `type` URI that clients switch on.
 */
export type ProblemKind =
  | 'validation-error'
  | 'malformed-json'
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'schedule-infeasible'
  | 'no-capacity-within-horizon'
  | 'precondition-failed'
  | 'payload-too-large'
  | 'unsupported-media-type'
  | 'idempotency-key-reused'
  | 'hold-policy'
  | 'requested-date-keepable'
  | 'capacity-request-stale'
  | 'capacity-request-closed'
  | 'rate-limited'
  | 'service-unavailable'
  | 'internal-error';

export interface FieldError {
  /** JSON path of the offending field, e.g. "body.weekly[2].end". */
  field: string;
  message: string;
}

export class DomainError extends Error {
  constructor(
    readonly kind: ProblemKind,
    message: string,
    readonly extensions: Record<string, unknown> = {},
    readonly errors: FieldError[] = [],
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const notFound = (what: string) => new DomainError('not-found', `${what} does not exist.`);

export const conflict = (message: string, extensions: Record<string, unknown> = {}) => new DomainError('conflict', message, extensions);

export const invalid = (errors: FieldError[], message = 'The request has invalid fields.') =>
  new DomainError('validation-error', message, {}, errors);

export const forbidden = (message: string) => new DomainError('forbidden', message);

export const preconditionFailed = (message: string, extensions: Record<string, unknown> = {}) =>
  new DomainError('precondition-failed', message, extensions);
