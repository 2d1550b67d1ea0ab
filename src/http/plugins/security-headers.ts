import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import Fastify, { type FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/** A JSON API renders nothing: no scripts, no frames, no embedding anywhere. */
const API_CSP = "default-src 'none'; frame-ancestors 'none'";
/**
 * The web board (/app) loads only its own scripts, styles and API: no inline code, no other
 * origin, never framed. Its images may be data: URLs (icons inlined by the build).
 */
const APP_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/**
 * The API docs page (Scalar) loads its bundle from /docs/js/scalar.js and starts it with one inline
 * script, allowed by its hash (see htmlPageCsp); the bundle injects its stylesheet and sets element
 * styles at run time, which only 'unsafe-inline' allows for styles. It fetches /openapi.json and
 * inlines its icons; its default web fonts are off (no other origin).
 */
const DOCS_CSP_WITHOUT_SCRIPTS =
  "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

const INLINE_SCRIPT = /<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/gi;

/** The policy of an HTML page other than the board: its own scripts and exactly the inline ones it carries. */
function htmlPageCsp(html: string): string {
  const hashes = [...html.matchAll(INLINE_SCRIPT)].map((m) => `'sha256-${createHash('sha256').update(m[1]!).digest('base64')}'`);
  return `${DOCS_CSP_WITHOUT_SCRIPTS}; script-src 'self' ${hashes.join(' ')}`.trimEnd();
}

const isAppPath = (url: string) => url === '/app' || url.startsWith('/app/') || url.startsWith('/app?');

/** Helmet's defaults without its HTML-page CSP (set below per kind of response), never framed. */
const HELMET_OPTIONS = { contentSecurityPolicy: false, frameguard: { action: 'deny' } } as const;
/** What Fastify itself writes on the probe's answer, not helmet. */
const NOT_HELMETS = new Set(['content-type', 'content-length', 'date', 'connection', 'keep-alive']);

/**
 * The headers helmet sets with HELMET_OPTIONS, read once from a probe app. They are the same
 * on every response, yet @fastify/helmet rebuilds its middleware and runs two async hooks for
 * each request (about 2 % of a small request's CPU); helmet stays the source of their values.
 */
async function helmetHeaders(): Promise<[string, string][]> {
  const probe = Fastify();
  await probe.register(helmet, HELMET_OPTIONS);
  probe.get('/', async () => '');
  const res = await probe.inject({ method: 'GET', url: '/' });
  await probe.close();
  return Object.entries(res.headers)
    .filter(([name]) => !NOT_HELMETS.has(name))
    .map(([name, value]) => [name, String(value)]);
}

declare module 'fastify' {
  interface FastifyInstance {
    /** An API error's security headers, for a response written straight to the socket (an unparsable request). */
    apiErrorHeaders: readonly (readonly [string, string])[];
    /** Sets an API error's security headers on a response no hook sees (a router error, a request during shutdown). */
    setApiErrorHeaders(res: ServerResponse): void;
  }
}

/**
 * Headers that fit an API: helmet's defaults without its HTML-page CSP (the JSON responses get
 * a deny-all policy instead; the docs page one that lets it work; the web board its own), and caching that never keeps a
 * secret: every /v1 response is `no-store` unless it carries an ETag (then clients revalidate).
 * CORS is off unless origins are allow-listed.
 */
export const securityHeadersPlugin = fp(
  async (app: FastifyInstance, { corsOrigins }: { corsOrigins: string[] }) => {
    const headers = await helmetHeaders();
    const apiErrorHeaders: readonly (readonly [string, string])[] = [
      ...headers,
      ['content-security-policy', API_CSP],
      ['cache-control', 'no-store'],
    ];
    app.decorate('apiErrorHeaders', apiErrorHeaders);
    app.decorate('setApiErrorHeaders', (res: ServerResponse) => {
      for (const [name, value] of apiErrorHeaders) res.setHeader(name, value);
    });
    // The docs page is rendered anew for each request, always the same: its policy is hashed once per distinct page.
    let lastPage = '';
    let lastPageCsp = '';
    // On the raw response, as helmet does: a hijacked reply (the event stream) writes its head itself and keeps them.
    app.addHook('onRequest', (_request, reply, done) => {
      for (const [name, value] of headers) reply.raw.setHeader(name, value);
      done();
    });
    if (corsOrigins.length > 0) await app.register(cors, { origin: corsOrigins, exposedHeaders: ['etag', 'x-request-id', 'retry-after'] });
    app.addHook('onSend', (request, reply, payload, done) => {
      const url = request.url;
      if (isAppPath(url)) reply.header('content-security-policy', APP_CSP);
      else if (!String(reply.getHeader('content-type') ?? '').startsWith('text/html')) reply.header('content-security-policy', API_CSP);
      else {
        // A page not sent as a string is not read: it gets no inline script.
        const page = typeof payload === 'string' ? payload : '';
        if (page !== lastPage || lastPageCsp === '') [lastPage, lastPageCsp] = [page, htmlPageCsp(page)];
        reply.header('content-security-policy', lastPageCsp);
      }
      // The session answers carry the CSRF token and who is signed in: never kept by a cache.
      const secret = url.startsWith('/v1/') || url.split('?')[0] === '/app/session';
      if (secret && !reply.hasHeader('cache-control')) {
        reply.header('cache-control', reply.hasHeader('etag') ? 'private, no-cache' : 'no-store');
      }
      done(null, payload);
    });
  },
  { name: 'security-headers' },
);
