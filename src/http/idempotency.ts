import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { text } from '../schemas/common.ts';
import type { Db } from '../db/database.ts';
import { DomainError } from '../domain/errors.ts';
import { IDEMPOTENCY_TTL_MS } from '../domain/idempotency-keys.ts';
import { domainProblem } from './plugins/errors.ts';

export const IdempotencyHeaders = z.looseObject({
  'idempotency-key': text.min(1).max(200).optional().meta({
    description:
      'Makes a retry safe: the same key and body return the stored response; the same key with another body is a 422. Kept 24 h.',
    example: '6f1c2c1e-7d1e-4a55-9a43-0b5c3f2f7c11',
  }),
});

const IN_PROGRESS = 0;

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
 * Runs a creating POST at most once per (API key, Idempotency-Key). A placeholder row is
 * claimed first, so two concurrent retries cannot both execute; the stored response is
 * replayed afterwards. Failures with 5xx release the key so the client can retry.
 */
export async function idempotent(
  db: Db,
  request: FastifyRequest,
  reply: FastifyReply,
  now: Date,
  run: () => Promise<{ status: number; body: unknown }>,
) {
  const key = request.headers['idempotency-key'];
  if (typeof key !== 'string' || key === '') {
    const result = await run();
    return reply.code(result.status).send(result.body);
  }
  const apiKeyId = request.actor.keyId;
  const path = request.url.split('?')[0]!;
  const hash = createHash('sha256')
    .update(`${request.method} ${path} ${canonical(request.body)}`)
    .digest('hex');
  const cutoff = new Date(now.getTime() - IDEMPOTENCY_TTL_MS);

  await db
    .deleteFrom('idempotency_keys')
    .where('api_key_id', '=', apiKeyId)
    .where('key', '=', key)
    .where('created_at', '<', cutoff)
    .execute();
  const claimed = await db
    .insertInto('idempotency_keys')
    .values({
      api_key_id: apiKeyId,
      key,
      method: request.method,
      path,
      request_hash: hash,
      status_code: IN_PROGRESS,
      response: 'null',
      created_at: now,
    })
    .onConflict((oc) => oc.columns(['api_key_id', 'key']).doNothing())
    .returning('key')
    .executeTakeFirst();

  if (!claimed) {
    const stored = await db
      .selectFrom('idempotency_keys')
      .selectAll()
      .where('api_key_id', '=', apiKeyId)
      .where('key', '=', key)
      .executeTakeFirstOrThrow();
    if (stored.request_hash !== hash) {
      throw new DomainError(
        'idempotency-key-reused',
        `Idempotency-Key "${key}" was used with a different request; use a new key for a new request.`,
      );
    }
    if (stored.status_code === IN_PROGRESS) {
      throw new DomainError('conflict', `A request with Idempotency-Key "${key}" is still in progress; retry shortly.`);
    }
    const type = stored.status_code >= 400 ? 'application/problem+json' : 'application/json';
    return reply.code(stored.status_code).type(type).header('idempotent-replayed', 'true').send(stored.response);
  }

  try {
    const result = await run();
    await store(db, apiKeyId, key, result.status, result.body);
    return reply.code(result.status).send(result.body);
  } catch (e) {
    if (e instanceof DomainError) {
      // A refusal is an answer too: a retry with the same key gets the same refusal.
      const problem = domainProblem(request, e);
      await store(db, apiKeyId, key, problem.status, problem);
    } else {
      await db.deleteFrom('idempotency_keys').where('api_key_id', '=', apiKeyId).where('key', '=', key).execute();
    }
    throw e;
  }
}

async function store(db: Db, apiKeyId: string, key: string, status: number, body: unknown) {
  await db
    .updateTable('idempotency_keys')
    .set({ status_code: status, response: JSON.stringify(body) })
    .where('api_key_id', '=', apiKeyId)
    .where('key', '=', key)
    .execute();
}
