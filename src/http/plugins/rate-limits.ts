import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Actor } from '../../domain/actor.ts';
import { DomainError } from '../../domain/errors.ts';

export interface RateLimitSettings {
  /** Length of the fixed window both limits count in. */
  windowMs: number;
  /** Requests one API key may make per window, in this process. */
  perKey: number;
  /** Failed authentications one client address may make per window, in this process. */
  failuresPerAddress: number;
}

/**
 * Requests per API key, counted in this process's memory (so with N processes a key may make
 * N × the limit). It counts at preParsing: after authentication (onRequest) has named the key,
 * before the body is parsed or validated, so invalid requests count too and a throttled one
 * costs no parsing. Routes without a principal (health, readiness, docs, the OpenAPI document)
 * are not counted; a route opts out with `config: { rateLimit: false }` (health, readiness,
 * metrics, long-lived event streams).
 */
export const rateLimitsPlugin = fp<RateLimitSettings>(
  async (app: FastifyInstance, settings) => {
    const windowSeconds = Math.round(settings.windowMs / 1000);
    await app.register(rateLimit, {
      global: true,
      hook: 'preParsing',
      max: settings.perKey,
      timeWindow: settings.windowMs,
      // Counters for this many keys at most (least recently used forgotten); keys are few.
      cache: 10_000,
      keyGenerator: (request) => (request.actor as Actor | null)?.keyId ?? request.ip,
      allowList: (request) => (request.actor as Actor | null) === null,
      // Thrown, so the one error handler writes the problem document; Retry-After is already set.
      errorResponseBuilder: (_request, context) =>
        new DomainError(
          'rate-limited',
          `This API key made more than ${context.max} requests in ${windowSeconds} s; retry in ${Math.ceil(context.ttl / 1000)} s.`,
        ),
    });
  },
  { name: 'rate-limits', dependencies: ['errors', 'auth'] },
);
