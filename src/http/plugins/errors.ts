import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import fp from 'fastify-plugin';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { DomainError, type FieldError, type ProblemKind } from '../../domain/errors.ts';
import { PROBLEM_BASE, problemTitles } from '../../schemas/problem.ts';
import { OUTAGE_RETRY_AFTER_SECONDS, type DatabaseOutage } from '../database-outage.ts';

/**
 * Problems only the HTTP layer raises (router, socket): domain code never throws them, so
 * they are not domain kinds, but they share the base URI and the document shape.
 */
const httpProblemTitles = {
  'method-not-allowed': [405, 'Method not allowed'],
  'request-timeout': [408, 'Request timeout'],
  'uri-too-long': [414, 'URI too long'],
  'header-fields-too-large': [431, 'Request header fields too large'],
  // A write authenticated by the web session cookie without the session's X-CSRF-Token.
  csrf: [403, 'CSRF token missing or wrong'],
} as const satisfies Record<string, readonly [number, string]>;

type HttpProblemKind = keyof typeof httpProblemTitles;

const titleOf = (kind: ProblemKind | HttpProblemKind): readonly [number, string] =>
  kind in httpProblemTitles ? httpProblemTitles[kind as HttpProblemKind] : problemTitles[kind as ProblemKind];

function problemDocument(
  request: FastifyRequest,
  kind: ProblemKind | HttpProblemKind,
  detail: string,
  extensions: Record<string, unknown> = {},
  errors: FieldError[] = [],
) {
  const [status, title] = titleOf(kind);
  // Extensions first: they may add members but never override the standard ones.
  return {
    ...extensions,
    type: `${PROBLEM_BASE}${kind}`,
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
  kind: ProblemKind | HttpProblemKind,
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

/** Methods a route may have; HEAD comes with every GET (exposeHeadRoutes). */
const routeMethods: HTTPMethods[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** Paths echoed in a detail are cut short: a detail is for people, the instance member keeps the whole URL. */
const shorten = (text: string, max = 200) => (text.length > max ? `${text.slice(0, max)}…` : text);

/**
 * The longest path parameter the router accepts (Fastify's default is 100). It is the longest any
 * route's schema accepts (an external order id, 200 characters), so a parameter the schema would
 * accept always reaches it and is named in a 400; anything longer is a 414 without a regex or a
 * database ever seeing it.
 */
export const MAX_PATH_PARAMETER_LENGTH = 200;

/**
 * Errors the router raises before any route or hook runs (Fastify's `frameworkErrors`): a URL
 * whose percent-encoding is not valid UTF-8, a path parameter over the limit. No route hooks run
 * for them, so the headers the hooks would add are set here.
 */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  reply.server.setApiErrorHeaders(reply.raw);
  reply.header('x-request-id', request.id);
  if (error.code === 'FST_ERR_BAD_URL') {
    void sendProblem(request, reply, 'validation-error', 'The URL is not valid: a percent-encoded sequence is malformed or is not UTF-8.');
    return;
  }
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    void sendProblem(
      request,
      reply,
      'uri-too-long',
      `A path parameter is longer than ${MAX_PATH_PARAMETER_LENGTH} characters, the most any route accepts.`,
    );
    return;
  }
  request.log.error({ err: error }, 'router error');
  void sendProblem(request, reply, 'internal-error', 'An unexpected error occurred; it has been logged.');
}

const clientErrors: Record<string, HttpProblemKind> = {
  ERR_HTTP_REQUEST_TIMEOUT: 'request-timeout',
  HPE_HEADER_OVERFLOW: 'header-fields-too-large',
};

/**
 * Requests Node's HTTP parser rejects before Fastify sees them (malformed request line or
 * headers, headers over the size limit, a client too slow to send them). Fastify's default answers
 * plain JSON; this answers the same statuses as problem+json, with an API error's security headers,
 * then closes the connection as Node does. Fastify calls it with the app as `this`.
 */
export function clientErrorHandler(this: FastifyInstance, error: Error & { code?: string }, socket: Socket) {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const kind = clientErrors[error.code ?? ''] ?? 'validation-error';
  const [status, title] = titleOf(kind);
  const body = JSON.stringify({
    type: `${PROBLEM_BASE}${kind}`,
    title,
    status,
    detail: kind === 'validation-error' ? 'The HTTP request could not be parsed.' : title,
  });
  if (socket.writable) {
    const security = this.apiErrorHeaders.map(([name, value]) => `${name}: ${value}\r\n`).join('');
    socket.write(
      `HTTP/1.1 ${status} ${title}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${security}Connection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

/** One place maps every error to RFC 9457 problem details; clients never see a stack trace. */
export const errorsPlugin = fp(
  async (app: FastifyInstance, { outage }: { outage: DatabaseOutage }) => {
    app.addHook('onResponse', (_request, reply, done) => {
      if (outage.active && reply.statusCode < 500) outage.served();
      done();
    });
    app.setNotFoundHandler((request, reply) => {
      const path = request.url.split('?')[0]!;
      const allowed = routeMethods.filter((method) => app.findRoute({ method, url: request.url }) !== null);
      if (allowed.length === 0) return sendProblem(request, reply, 'not-found', `No route ${request.method} ${shorten(path)}.`);
      // The path exists: say which methods it has (RFC 9110 §15.5.6 requires Allow on a 405).
      reply.header('allow', [...allowed, 'OPTIONS'].join(', '));
      if (request.method === 'OPTIONS') return reply.code(204).send();
      return sendProblem(
        request,
        reply,
        'method-not-allowed',
        `${shorten(path)} does not support ${request.method}; it supports ${allowed.join(', ')}.`,
      );
    });

    app.setErrorHandler((error: FastifyError, request, reply) => {
      if (error instanceof DomainError) {
        const doc = domainProblem(request, error);
        const retryAfter = error.extensions.retryAfterSeconds;
        if (typeof retryAfter === 'number') reply.header('retry-after', String(retryAfter));
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
