import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/http/app.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { aPlant } from '../helpers/builders.ts';

let t: TestApp;
let withCors: App;
beforeAll(async () => {
  t = await buildTestApp();
  await t.app.inject({ method: 'POST', url: '/v1/plants', headers: t.as('admin'), payload: aPlant({ id: 'p1' }) });
  withCors = await buildApp({ db: t.db.db, clock: t.clock, maxOrderQuantity: 1000 }, { corsOrigins: ['https://erp.example.com'] });
  await withCors.ready();
});
afterAll(async () => {
  await withCors?.close();
  await t.close();
});

describe('security headers fit an API', () => {
  it('every API response forbids sniffing, framing and rendering, and is not stored', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/plants/p1', headers: t.as('admin') });
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it("a quote carries every header of helmet's defaults (no HTML policy; framing denied)", async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/plants/p1/quotes',
      headers: t.as('sales'),
      payload: { sku: 'nope', quantity: 1 },
    });
    expect(res.headers).toMatchObject({
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-resource-policy': 'same-origin',
      'origin-agent-cluster': '?1',
      'referrer-policy': 'no-referrer',
      'strict-transport-security': 'max-age=31536000; includeSubDomains',
      'x-content-type-options': 'nosniff',
      'x-dns-prefetch-control': 'off',
      'x-download-options': 'noopen',
      'x-frame-options': 'DENY',
      'x-permitted-cross-domain-policies': 'none',
      'x-xss-protection': '0',
      'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
    });
  });

  it('errors carry the same headers', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/plants/p1' });
    expect(res.statusCode).toBe(401);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('the response that shows a new key is never stored', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: t.as('admin'),
      payload: { name: 'ERP', role: 'erp', plants: ['p1'] },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toHaveProperty('key');
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('a response with an ETag may be kept but must be revalidated', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/plants/p1/buffer-policy', headers: t.as('planner') });
    expect(res.statusCode).toBe(200);
    expect(res.headers.etag).toBeDefined();
    expect(res.headers['cache-control']).toBe('private, no-cache');
  });

  it('the docs page is not given the API policy, so it still renders', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/docs/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-security-policy']).toBeUndefined();
  });
});

describe('CORS', () => {
  const preflight = (app: App, origin: string) =>
    app.inject({
      method: 'OPTIONS',
      url: '/v1/plants/p1/quotes',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
    });

  it('is off by default: no origin is allowed', async () => {
    const res = await preflight(t.app, 'https://erp.example.com');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('allows only the origins on the allow-list', async () => {
    const allowed = await preflight(withCors, 'https://erp.example.com');
    expect(allowed.statusCode).toBe(204);
    expect(allowed.headers['access-control-allow-origin']).toBe('https://erp.example.com');
    const other = await preflight(withCors, 'https://evil.example.net');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });
});
