import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { mayAccessPlant, type Actor, type Role } from '../../domain/actor.ts';
import type { AuthFailures } from '../auth-failures.ts';
import { sendProblem } from './errors.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Roles allowed on this route; absent means the route is public (health, docs). */
    roles?: readonly Role[];
    /** Only keys for every plant may call this route (e.g. creating a plant). */
    allPlantsOnly?: boolean;
  }
  interface FastifyRequest {
    actor: Actor;
  }
}

export interface AuthOptions {
  resolveKey: (key: string) => Promise<Actor | null>;
  /** Failed authentications per client address; over the limit, 429 before any key lookup. */
  failures: AuthFailures;
}

/**
 * Authentication and authorisation run at onRequest, before the body is parsed or
 * validated, so a caller without rights learns nothing about the payload's shape. An address
 * that failed too often is refused first, so its requests cost no key lookup at all.
 */
export const authPlugin = fp<AuthOptions>(
  async (app: FastifyInstance, opts) => {
    app.decorateRequest('actor', null as unknown as Actor);
    app.addHook('onRequest', async (request, reply) => {
      const roles = request.routeOptions.config.roles;
      if (!roles) return;
      const retryAfter = opts.failures.retryAfterSeconds(request.ip);
      if (retryAfter > 0) {
        reply.header('retry-after', String(retryAfter));
        return sendProblem(request, reply, 'rate-limited', `Too many failed authentications from this address; retry in ${retryAfter} s.`);
      }
      const header = request.headers.authorization ?? '';
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      if (!match) {
        opts.failures.record(request.ip);
        reply.header('www-authenticate', 'Bearer');
        return sendProblem(request, reply, 'unauthorized', 'Send an API key as "Authorization: Bearer <key>".');
      }
      const actor = await opts.resolveKey(match[1]!);
      if (!actor) {
        opts.failures.record(request.ip);
        reply.header('www-authenticate', 'Bearer error="invalid_token"');
        return sendProblem(request, reply, 'unauthorized', 'The API key is unknown or revoked.');
      }
      if (!roles.includes(actor.role)) {
        return sendProblem(
          request,
          reply,
          'forbidden',
          `Role "${actor.role}" may not ${request.method} this resource; allowed: ${roles.join(', ')}.`,
        );
      }
      if (request.routeOptions.config.allPlantsOnly && actor.plantIds !== null) {
        return sendProblem(request, reply, 'forbidden', 'Only an API key for all plants may do this.');
      }
      const plant = (request.params as { plant?: string } | undefined)?.plant;
      if (plant !== undefined && !mayAccessPlant(actor, plant)) {
        return sendProblem(request, reply, 'forbidden', `This API key is not allowed on plant "${plant}".`);
      }
      request.actor = actor;
    });
  },
  { name: 'auth', dependencies: ['errors'] },
);
