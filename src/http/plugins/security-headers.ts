import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/** A JSON API renders nothing: no scripts, no frames, no embedding anywhere. */
const API_CSP = "default-src 'none'; frame-ancestors 'none'";
/**
 * The web board (/app) loads only its own scripts, styles and API: no inline code, no other
 * origin, never framed. Its images may be data: URLs (icons inlined by the build).
 */
const APP_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

const isAppPath = (url: string) => url === '/app' || url.startsWith('/app/') || url.startsWith('/app?');

/**
 * Headers that fit an API: helmet's defaults without its HTML-page CSP (the JSON responses get
 * a deny-all policy instead; the docs page keeps working; the web board its own policy), and caching that never keeps a
 * secret: every /v1 response is `no-store` unless it carries an ETag (then clients revalidate).
 * CORS is off unless origins are allow-listed.
 */
export const securityHeadersPlugin = fp(
  async (app: FastifyInstance, { corsOrigins }: { corsOrigins: string[] }) => {
    await app.register(helmet, { contentSecurityPolicy: false, frameguard: { action: 'deny' }, global: true });
    if (corsOrigins.length > 0) await app.register(cors, { origin: corsOrigins, exposedHeaders: ['etag', 'x-request-id', 'retry-after'] });
    app.addHook('onSend', async (request, reply) => {
      const type = String(reply.getHeader('content-type') ?? '');
      if (isAppPath(request.url)) reply.header('content-security-policy', APP_CSP);
      else if (!type.startsWith('text/html')) reply.header('content-security-policy', API_CSP);
      // The session answers carry the CSRF token and who is signed in: never kept by a cache.
      const secret = request.url.startsWith('/v1/') || request.url.split('?')[0] === '/app/session';
      if (secret && !reply.hasHeader('cache-control')) {
        reply.header('cache-control', reply.hasHeader('etag') ? 'private, no-cache' : 'no-store');
      }
    });
  },
  { name: 'security-headers' },
);
