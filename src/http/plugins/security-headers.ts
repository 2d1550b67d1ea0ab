import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/** A JSON API renders nothing: no scripts, no frames, no embedding anywhere. */
const API_CSP = "default-src 'none'; frame-ancestors 'none'";

/**
 * Headers that fit an API: helmet's defaults without its HTML-page CSP (the JSON responses get
 * a deny-all policy instead; the docs page keeps working), and caching that never keeps a
 * secret: every /v1 response is `no-store` unless it carries an ETag (then clients revalidate).
 * CORS is off unless origins are allow-listed.
 */
export const securityHeadersPlugin = fp(
  async (app: FastifyInstance, { corsOrigins }: { corsOrigins: string[] }) => {
    await app.register(helmet, { contentSecurityPolicy: false, frameguard: { action: 'deny' }, global: true });
    if (corsOrigins.length > 0) await app.register(cors, { origin: corsOrigins, exposedHeaders: ['etag', 'x-request-id', 'retry-after'] });
    app.addHook('onSend', async (request, reply) => {
      const type = String(reply.getHeader('content-type') ?? '');
      if (!type.startsWith('text/html')) reply.header('content-security-policy', API_CSP);
      if (request.url.startsWith('/v1/') && !reply.hasHeader('cache-control')) {
        reply.header('cache-control', reply.hasHeader('etag') ? 'private, no-cache' : 'no-store');
      }
    });
  },
  { name: 'security-headers' },
);
