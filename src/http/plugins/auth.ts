import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { mayAccessPlant, type Actor, type Role } from '../../domain/actor.ts';
import { csrfMatches, type LiveWebSession } from '../../domain/web-sessions.ts';
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
    /** Authenticated by the web session cookie: when that session ends (long-lived responses end with it); else null. */
    sessionExpiresAt: Date | null;
  }
}

/** The web board's session cookie (POST /app/session sets it). */
export const SESSION_COOKIE = 'drumbeat_session';

const trimSpaces = (s: string) => s.replace(/^[ \t]+|[ \t]+$/g, '');

/**
 * The session cookie's value, read from the Cookie header only when a request has no
 * Authorization header: @fastify/cookie parses every request's cookies and adds a hook to
 * every response, though only the web board sends cookies, so it is registered for the
 * session routes alone (they set and clear it). Same rules as its parser: pairs split at `;`,
 * spaces and tabs around a name or value ignored, the first pair of a name wins, a value
 * with `%` URL-decoded (kept as sent when that fails).
 */
export function sessionCookie(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=');
    if (eq === -1 || trimSpaces(pair.slice(0, eq)) !== SESSION_COOKIE) continue;
    const value = trimSpaces(pair.slice(eq + 1));
    if (!value.includes('%')) return value;
    try {
      return decodeURIComponent(value);
    } catch {
      return value;
    }
  }
  return undefined;
}

/** Methods that change nothing: a cookie alone authenticates them; every other method needs the CSRF header too. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface AuthOptions {
  resolveKey: (key: string) => Promise<Actor | null>;
  /** The session a web board cookie stands for (null: unknown, expired, or its key revoked). */
  findSession: (token: string) => Promise<LiveWebSession | null>;
  /** Failed authentications per client address; over the limit, 429 before any key lookup. */
  failures: AuthFailures;
}

/**
 * Who is calling, or null when a problem was sent: a Bearer key wins; without an Authorization
 * header, the web board's session cookie, and then any write must carry the session's CSRF
 * token (a cross-site page cannot read it, so it cannot forge the write).
 */
async function authenticate(
  request: FastifyRequest,
  reply: FastifyReply,
  opts: AuthOptions,
): Promise<{ actor: Actor; sessionExpiresAt: Date | null } | null> {
  const header = request.headers.authorization;
  const token = header === undefined ? sessionCookie(request.headers.cookie) : undefined;
  if (token !== undefined) {
    const live = await opts.findSession(token);
    if (!live) {
      opts.failures.record(request.ip);
      void sendProblem(request, reply, 'unauthorized', 'The web session is unknown or expired, or its API key was revoked: sign in again.');
      return null;
    }
    if (!SAFE_METHODS.has(request.method) && !csrfMatches(headerValue(request.headers['x-csrf-token']), live.session.csrfToken)) {
      void sendProblem(
        request,
        reply,
        'csrf',
        'A write made with the session cookie needs the header X-CSRF-Token with the token the session was given.',
      );
      return null;
    }
    return { actor: live.actor, sessionExpiresAt: live.session.expiresAt };
  }
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  if (!match) {
    opts.failures.record(request.ip);
    reply.header('www-authenticate', 'Bearer');
    void sendProblem(request, reply, 'unauthorized', 'Send an API key as "Authorization: Bearer <key>".');
    return null;
  }
  const actor = await opts.resolveKey(match[1]!);
  if (!actor) {
    opts.failures.record(request.ip);
    reply.header('www-authenticate', 'Bearer error="invalid_token"');
    void sendProblem(request, reply, 'unauthorized', 'The API key is unknown or revoked.');
    return null;
  }
  return { actor, sessionExpiresAt: null };
}

const headerValue = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

/**
 * Authentication and authorisation run at onRequest, before the body is parsed or
 * validated, so a caller without rights learns nothing about the payload's shape. An address
 * that failed too often is refused first, so its requests cost no key lookup at all.
 */
export const authPlugin = fp<AuthOptions>(
  async (app: FastifyInstance, opts) => {
    app.decorateRequest('actor', null as unknown as Actor);
    app.decorateRequest('sessionExpiresAt', null);
    app.addHook('onRequest', async (request, reply) => {
      const roles = request.routeOptions.config.roles;
      if (!roles) return;
      const retryAfter = opts.failures.retryAfterSeconds(request.ip);
      if (retryAfter > 0) {
        reply.header('retry-after', String(retryAfter));
        return sendProblem(request, reply, 'rate-limited', `Too many failed authentications from this address; retry in ${retryAfter} s.`);
      }
      const who = await authenticate(request, reply, opts);
      if (!who) return reply;
      const { actor } = who;
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
      request.sessionExpiresAt = who.sessionExpiresAt;
    });
  },
  { name: 'auth', dependencies: ['errors'] },
);
