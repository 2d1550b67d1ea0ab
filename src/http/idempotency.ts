import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { text } from '../schemas/common.ts';
import type { Db } from '../db/database.ts';
import { DomainError } from '../domain/errors.ts';
import { storedAnswer, storeRefusal, type IdempotentRequest } from '../domain/idempotency-keys.ts';
import { domainProblem } from './plugins/errors.ts';

export const IdempotencyHeaders = z.looseObject({
  'idempotency-key': text.min(1).max(200).optional().meta({
    description:
      'Makes a retry safe: the same key and body return the stored response; the same key with another body is a 422. Kept 24 h.',
    example: '6f1c2c1e-7d1e-4a55-9a43-0b5c3f2f7c11',
  }),
});

/**
 * The answer as the route's response schema sends it (fields the schema does not name are
 * dropped), so that a replay equals the first answer, not the use case's internal result.
 */
function asSent(request: FastifyRequest, status: number, body: unknown): unknown {
  const schema = (request.routeOptions.schema?.response as Record<number, unknown> | undefined)?.[status];
  if (!(schema instanceof z.ZodType)) return body;
  const sent = z.safeEncode(schema, body);
  return sent.success ? sent.data : body;
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * Runs a creating POST at most once per (principal, Idempotency-Key): a retry with a rotated key replays too. A stored answer is
 * replayed; otherwise the use case runs with an IdempotentRequest whose answer its schedule
 * write stores in its own transaction (see idempotencyHooks), so there is no "in progress"
 * state a crash could leave behind: a write that never committed left no key, and the
 * client's retry simply runs it. Refusals are stored too: a retry gets the same refusal.
 */
export async function idempotent<T>(
  db: Db,
  request: FastifyRequest,
  reply: FastifyReply,
  now: Date,
  status: number,
  run: (idem: IdempotentRequest | undefined) => Promise<T>,
  /** Turns a stored success back into the answer (a webhook's creation stores its secret sealed). */
  replayed: (body: unknown) => unknown = (body) => body,
) {
  const key = request.headers['idempotency-key'];
  if (typeof key !== 'string' || key === '') return reply.code(status).send(await run(undefined));
  const path = request.url.split('?')[0]!;
  const req: IdempotentRequest = {
    apiKeyId: request.actor.keyId,
    principal: request.actor.principal,
    key,
    method: request.method,
    path,
    requestHash: createHash('sha256')
      .update(`${request.method} ${path} ${canonical(request.body)}`)
      .digest('hex'),
    at: now,
    answer: (body) => ({ status, body: asSent(request, status, body) }),
    refusal: (e) => {
      const problem = domainProblem(request, e);
      return { status: problem.status, body: problem };
    },
  };
  const stored = await storedAnswer(db, req);
  if (stored) {
    const type = stored.status_code >= 400 ? 'application/problem+json' : 'application/json';
    // Verbatim: an answer stored before the response schema grew a field must replay, not fail
    // serialization. A problem names this request (the X-Request-Id it is sent with), not the first.
    const body =
      stored.status_code >= 400
        ? { ...(stored.response as object), requestId: request.id, instance: request.url }
        : replayed(stored.response);
    return reply.code(stored.status_code).type(type).header('idempotent-replayed', 'true').send(JSON.stringify(body));
  }
  try {
    return reply.code(status).send(await run(req));
  } catch (e) {
    // A refusal before the schedule write (or outside one) is an answer too.
    if (e instanceof DomainError) await storeRefusal(db, req, e);
    throw e;
  }
}
