import cookie from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ROLES } from '../../domain/actor.ts';
import type { Clock } from '../../domain/clock.ts';
import type { KeyResolver } from '../../domain/key-resolver.ts';
import { closeWebSession, csrfMatches, findWebSession, openWebSession, type WebSession } from '../../domain/web-sessions.ts';
import type { Db } from '../../db/database.ts';
import type { AuthFailures } from '../auth-failures.ts';
import { SESSION_COOKIE } from '../plugins/auth.ts';
import { sendProblem } from '../plugins/errors.ts';

export interface WebSessionRouteOptions {
  db: Db;
  clock: Clock;
  keys: KeyResolver;
  failures: AuthFailures;
  /** Absolute lifetime of a session (WEB_SESSION_HOURS). */
  hours: number;
}

const SignIn = z.strictObject({ apiKey: z.string().min(1).max(200) });
const SessionBody = z.object({
  role: z.enum(ROLES),
  name: z.string(),
  principal: z.string(),
  plantIds: z.array(z.string()).nullable(),
  csrfToken: z.string(),
  expiresAt: z.string(),
});

const bodyOf = (s: WebSession) => ({ ...s, expiresAt: s.expiresAt.toISOString() });

/**
 * The web board's sign-in (issue 17): the browser trades an API key once for an httpOnly,
 * SameSite=Strict cookie, so the key never sits in the URL or in page storage, and
 * EventSource (which cannot send headers) authenticates too. Not part of the API document:
 * only the web app calls these.
 */
export const webSessionRoutes: FastifyPluginAsyncZod<WebSessionRouteOptions> = async (app, { db, clock, keys, failures, hours }) => {
  // Only these routes set cookies: here, not for every request of the API (see sessionCookie).
  await app.register(cookie);
  const setCookie = (request: FastifyRequest, reply: FastifyReply, token: string, expires: Date) =>
    reply.setCookie(SESSION_COOKIE, token, {
      httpOnly: true,
      sameSite: 'strict',
      path: '/',
      // Behind a TLS-terminating proxy the protocol comes from X-Forwarded-Proto (TRUST_PROXY_HOPS).
      secure: request.protocol === 'https',
      // Max-Age, not Expires: the browser counts it on its own clock, so a client whose clock
      // differs from the server's neither drops the cookie at once nor keeps it longer (the
      // server checks the session's expiry itself).
      maxAge: Math.max(0, Math.floor((expires.getTime() - clock.now().getTime()) / 1000)),
    });

  app.post('/app/session', { schema: { hide: true, body: SignIn, response: { 200: SessionBody } } }, async (request, reply) => {
    const retryAfter = failures.retryAfterSeconds(request.ip);
    if (retryAfter > 0) {
      reply.header('retry-after', String(retryAfter));
      return sendProblem(request, reply, 'rate-limited', `Too many failed authentications from this address; retry in ${retryAfter} s.`);
    }
    const actor = await keys.resolve(request.body.apiKey);
    if (!actor) {
      failures.record(request.ip);
      return sendProblem(request, reply, 'unauthorized', 'The API key is unknown or revoked.');
    }
    const { token, session } = await openWebSession(db, clock, actor, hours);
    setCookie(request, reply, token, session.expiresAt);
    return bodyOf(session);
  });

  app.get('/app/session', { schema: { hide: true, response: { 200: SessionBody } } }, async (request, reply) => {
    const token = request.cookies[SESSION_COOKIE];
    const live = token === undefined ? null : await findWebSession(db, clock, token);
    if (!live) {
      if (token !== undefined) failures.record(request.ip);
      return sendProblem(request, reply, 'unauthorized', 'Not signed in (or the session expired, or its API key was revoked).');
    }
    return bodyOf(live.session);
  });

  app.delete('/app/session', { schema: { hide: true } }, async (request, reply) => {
    const token = request.cookies[SESSION_COOKIE];
    if (token !== undefined) {
      const live = await findWebSession(db, clock, token);
      // Signing out is a write: a cross-site page must not be able to end someone's session.
      if (live && !csrfMatches(request.headers['x-csrf-token'] as string | undefined, live.session.csrfToken)) {
        return sendProblem(request, reply, 'csrf', 'Signing out needs the header X-CSRF-Token with the token the session was given.');
      }
      await closeWebSession(db, token);
    }
    reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'strict', secure: request.protocol === 'https' });
    return reply.code(204).send();
  });
};
