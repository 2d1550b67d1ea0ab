import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { DomainError, type FieldError, type ProblemKind } from '../../domain/errors.ts';
import { problemTitles, problemType } from '../../schemas/problem.ts';
import { OUTAGE_RETRY_AFTER_SECONDS, type DatabaseOutage } from '../database-outage.ts';

function problemDocument(
  request: FastifyRequest,
  kind: ProblemKind,
  detail: string,
  extensions: Record<string, unknown> = {},
  errors: FieldError[] = [],
) {
  const [status, title] = problemTitles[kind];
  // Extensions first: they may add members but never override the standard ones.
  return {
    ...extensions,
    type: problemType(kind),
    title,
    status,
    detail,
    instance: request.url,
    requestId: request.id,
    ...(errors.length > 0 ? { errors } : {}),
  };
}

export function sendProblem(
  request: FastifyRequest,
  reply: FastifyReply,
  kind: ProblemKind,
  detail: string,
  extensions: Record<string, unknown> = {},
  errors: FieldError[] = [],
) {
  const doc = problemDocument(request, kind, detail, extensions, errors);
  return reply.code(doc.status).type('application/problem+json').send(doc);
}

/** The problem document for a domain error (also stored for idempotent replays). */
export const domainProblem = (request: FastifyRequest, e: DomainError) =>
  problemDocument(request, e.kind, e.message, e.extensions, e.errors);

const fastifyCodes: Record<string, ProblemKind> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported-media-type',
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload-too-large',
  FST_ERR_CTP_INVALID_JSON_BODY: 'malformed-json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'malformed-json',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'validation-error',
};

function kindForStatus(status: number): ProblemKind {
  const match = Object.entries(problemTitles).find(([, [s]]) => s === status);
  return (match?.[0] as ProblemKind | undefined) ?? 'validation-error';
}

function fieldPath(context: string, instancePath: string): string {
  const rest = instancePath
    .split('/')
    .filter(Boolean)
    .map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p}`))
    .join('');
  return `${context}${rest}`;
}

/** One place maps every error to RFC 9457 problem details; clients never see a stack trace. */
export const errorsPlugin = fp(
  async (app: FastifyInstance, { outage }: { outage: DatabaseOutage }) => {
    app.addHook('onResponse', async (_request, reply) => {
      if (outage.active && reply.statusCode < 500) outage.served();
    });
    app.setNotFoundHandler((request, reply) =>
      sendProblem(request, reply, 'not-found', `No route ${request.method} ${request.url.split('?')[0]}.`),
    );

    app.setErrorHandler((error: FastifyError, request, reply) => {
      if (error instanceof DomainError) {
        const doc = domainProblem(request, error);
        return reply.code(doc.status).type('application/problem+json').send(doc);
      }
      if (hasZodFastifySchemaValidationErrors(error)) {
        const context = error.validationContext ?? 'body';
        const errors = error.validation.map((v) => ({
          field: fieldPath(context, v.instancePath),
          message: v.message ?? 'Invalid value',
        }));
        const detail = `Invalid ${context}: ${errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`;
        return sendProblem(request, reply, 'validation-error', detail, {}, errors);
      }
      if (error.code && fastifyCodes[error.code]) {
        const kind = fastifyCodes[error.code]!;
        return sendProblem(request, reply, kind, error.message);
      }
      const status = error.statusCode ?? 500;
      if (status >= 400 && status < 500) {
        return sendProblem(request, reply, kindForStatus(status), error.message);
      }
      if (outage.noticed(error)) {
        reply.header('retry-after', String(OUTAGE_RETRY_AFTER_SECONDS));
        return sendProblem(request, reply, 'service-unavailable', 'The database is unavailable; retry after a few seconds.');
      }
      request.log.error({ err: error }, 'unhandled error');
      return sendProblem(request, reply, 'internal-error', 'An unexpected error occurred; it has been logged.');
    });
  },
  { name: 'errors' },
);
