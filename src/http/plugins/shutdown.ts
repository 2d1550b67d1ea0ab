import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { sendProblem } from './errors.ts';

/** Seconds a client should wait before retrying a request refused during shutdown (another instance, or this one restarted). */
const SHUTDOWN_RETRY_AFTER_SECONDS = 1;

/**
 * While the process shuts down, requests in flight finish and a new one is answered 503
 * service-unavailable as a problem, with the headers of every other API error (Retry-After,
 * X-Request-Id, the security headers). Fastify's own answer (`return503OnClosing`) is plain JSON
 * written before any hook, so an app that registers this plugin turns that off, and registers it
 * before authentication and rate limits: no later hook or handler runs for such a request.
 */
export const shutdownPlugin = fp(
  async (app: FastifyInstance) => {
    let closing = false;
    app.addHook('preClose', (done) => {
      closing = true;
      done();
    });
    app.addHook('onRequest', (request, reply, done) => {
      if (!closing) return done();
      reply.server.setApiErrorHeaders(reply.raw);
      reply.header('x-request-id', request.id).header('retry-after', String(SHUTDOWN_RETRY_AFTER_SECONDS));
      void sendProblem(request, reply, 'service-unavailable', 'The server is shutting down; send the request again.');
    });
  },
  { name: 'shutdown', dependencies: ['security-headers'] },
);
