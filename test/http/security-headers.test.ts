import { createHash } from 'node:crypto';
import type { Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { Gauge } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/http/app.ts';
import { Metrics } from '../../src/http/metrics/metrics.ts';
import { buildMetricsApp } from '../../src/http/metrics/metrics-server.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { aPlant } from '../helpers/builders.ts';

/** What every API response carries: helmet's defaults without its HTML policy, framing denied, the deny-all policy. */
const API_HEADERS = {
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
};

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
    expect(res.headers).toMatchObject(API_HEADERS);
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

  it('a URL refused before routing (malformed percent-encoding, over-long parameter) carries the same headers as other API errors', async () => {
    const badEncoding = await t.app.inject({ method: 'GET', url: '/v1/plants/%E0%A4%A', headers: t.as('admin') });
    expect(badEncoding.statusCode).toBe(400);
    expect(badEncoding.headers).toMatchObject({ ...API_HEADERS, 'cache-control': 'no-store' });
    expect(badEncoding.headers['x-request-id']).toBeDefined();
    const tooLong = await t.app.inject({ method: 'GET', url: `/v1/plants/${'x'.repeat(201)}`, headers: t.as('admin') });
    expect(tooLong.statusCode).toBe(414);
    expect(tooLong.headers).toMatchObject({ ...API_HEADERS, 'cache-control': 'no-store' });
  });
});

/** A CSP's directives by name. */
const directives = (csp: string) =>
  new Map(
    csp
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .map(([name, ...sources]) => [name!, sources] as const),
  );

describe('the API docs page', () => {
  it('has a policy that allows exactly the scripts it loads and runs, and nothing from another origin', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/docs/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    const csp = directives(String(res.headers['content-security-policy']));
    expect(csp.get('default-src')).toEqual(["'none'"]);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    const scriptSrc = csp.get('script-src') ?? [];
    expect(scriptSrc).not.toContain("'unsafe-inline'");
    expect(scriptSrc).not.toContain("'unsafe-eval'");
    expect(scriptSrc.filter((s) => !s.startsWith("'"))).toEqual([]);

    const scripts = [...res.body.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/gi)];
    const external = scripts.map(([, attrs]) => /\bsrc="([^"]+)"/.exec(attrs!)?.[1]).filter((src) => src !== undefined);
    const inline = scripts.filter(([, attrs]) => !/\bsrc=/.test(attrs!)).map(([, , body]) => body!);
    expect(external.length).toBeGreaterThan(0);
    expect(inline.length).toBeGreaterThan(0);
    // Each inline script runs only because its own hash is allowed; a changed script would be refused.
    for (const body of inline) expect(scriptSrc).toContain(`'sha256-${createHash('sha256').update(body).digest('base64')}'`);
    expect(scriptSrc.filter((s) => s.startsWith("'sha256-"))).toHaveLength(inline.length);
    // Each external script is on this origin ('self') and is served.
    expect(scriptSrc).toContain("'self'");
    for (const src of external) {
      const url = new URL(src, 'http://drumbeat.test/docs/');
      expect(url.origin).toBe('http://drumbeat.test');
      const asset = await t.app.inject({ method: 'GET', url: url.pathname });
      expect(asset.statusCode).toBe(200);
      expect(asset.headers['content-type']).toMatch(/^application\/javascript/);
    }
    // The document the page fetches is on this origin too (connect-src 'self').
    expect(csp.get('connect-src')).toEqual(["'self'"]);
    const documentUrl = /"url": "([^"]+)"/.exec(res.body)?.[1];
    expect(documentUrl).toBe('/openapi.json');
    expect((await t.app.inject({ method: 'GET', url: documentUrl! })).statusCode).toBe(200);
  });

  it("the bundle loads nothing from another origin by default (Scalar's web fonts are off)", async () => {
    const res = await t.app.inject({ method: 'GET', url: '/docs/' });
    expect(res.body).toContain('"withDefaultFonts": false');
  });
});

/** A request the test holds in flight: `inFlight` resolves once it has started, `release` lets it finish. */
function heldRequest() {
  let release!: () => void;
  let enter!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const inFlight = new Promise<void>((resolve) => (enter = resolve));
  return { held, inFlight, enter, release };
}

/** One HTTP/1.1 answer read off a socket: its status, its headers (names in lower case) and its body. */
function rawAnswer(answer: string) {
  const [head, ...body] = answer.split('\r\n\r\n');
  const [statusLine, ...lines] = head!.split('\r\n');
  const headers: Record<string, string> = Object.fromEntries(
    lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
  );
  return { status: Number(statusLine!.split(' ')[1]), headers, body: body.join('\r\n\r\n') };
}

/**
 * GET `first`, which `hold` keeps in flight, close the app, then GET `second` on the same
 * connection: it arrives while the app shuts down. Both answers, in order.
 */
async function answersAcrossClose(
  app: { listen(o: { port: number; host: string }): Promise<string>; close(): Promise<unknown>; server: Server },
  hold: ReturnType<typeof heldRequest>,
  first: string,
  second: string,
) {
  await app.listen({ port: 0, host: '127.0.0.1' });
  let arrived!: () => void;
  const secondArrived = new Promise<void>((resolve) => (arrived = resolve));
  let requests = 0;
  app.server.on('request', () => {
    if (++requests === 2) arrived();
  });
  const { port } = app.server.address() as AddressInfo;
  const socket = connect(port, '127.0.0.1');
  let received = '';
  socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
  const ended = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  socket.write(`GET ${first} HTTP/1.1\r\nHost: drumbeat.test\r\n\r\n`);
  await hold.inFlight;
  const closed = app.close();
  // The server stops listening once the close hooks (the shutdown plugin's among them) have run.
  while (app.server.listening) await new Promise((resolve) => setImmediate(resolve));
  socket.write(`GET ${second} HTTP/1.1\r\nHost: drumbeat.test\r\n\r\n`);
  // The second request reaches the server before the first answers (its answer waits its turn).
  await secondArrived;
  hold.release();
  await ended;
  await closed;
  return received.split(/(?=HTTP\/1\.1 )/).map(rawAnswer);
}

describe('while the process shuts down', () => {
  it('a request that arrives is a 503 service-unavailable problem with the headers of other API errors', async () => {
    const app = await buildApp({ db: t.db.db, clock: t.clock, maxOrderQuantity: 1000 });
    const hold = heldRequest();
    app.get('/held', async () => {
      hold.enter();
      await hold.held;
      return { done: true };
    });
    const answers = await answersAcrossClose(app, hold, '/held', '/v1/plants');
    expect(answers.map((a) => a.status)).toEqual([200, 503]);
    const refused = answers[1]!;
    expect(refused.headers).toMatchObject({ ...API_HEADERS, 'cache-control': 'no-store', 'retry-after': '1' });
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.parse(refused.body)).toMatchObject({
      type: 'https://drumbeat.dev/problems/service-unavailable',
      status: 503,
      detail: expect.stringContaining('shutting down'),
      requestId: refused.headers['x-request-id'],
    });
  });

  it('the metrics listener answers its 503 the same way', async () => {
    const metrics = new Metrics({ defaultMetrics: false });
    // A scrape waits for every collector: this one holds it in flight.
    const hold = heldRequest();
    new Gauge({
      name: 'test_held_gauge',
      help: 'holds a scrape',
      registers: [metrics.registry],
      async collect() {
        hold.enter();
        await hold.held;
      },
    });
    const answers = await answersAcrossClose(await buildMetricsApp(metrics), hold, '/metrics', '/metrics');
    expect(answers.map((a) => a.status)).toEqual([200, 503]);
    expect(answers[0]!.headers).toMatchObject(API_HEADERS);
    const refused = answers[1]!;
    expect(refused.headers).toMatchObject({ ...API_HEADERS, 'cache-control': 'no-store', 'retry-after': '1' });
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.headers['x-request-id']).toBeDefined();
    expect(JSON.parse(refused.body)).toMatchObject({ type: 'https://drumbeat.dev/problems/service-unavailable', status: 503 });
  });
});

describe('a request Node cannot parse', () => {
  it('is answered with the headers of other API errors', async () => {
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = t.app.server.address() as AddressInfo;
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => socket.end('GET /v1/plants HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n'));
      let data = '';
      socket.on('data', (chunk: Buffer) => (data += chunk.toString('latin1')));
      socket.on('close', () => resolve(data));
      socket.on('error', reject);
    });
    const { status, headers, body } = rawAnswer(answer);
    expect(status).toBe(400);
    expect(headers).toMatchObject({ ...API_HEADERS, 'cache-control': 'no-store', 'content-type': 'application/problem+json' });
    expect(JSON.parse(body)).toMatchObject({ type: 'https://drumbeat.dev/problems/validation-error', status: 400 });
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
