import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/domain/api-keys.ts';
import { fixedClock } from '../../src/domain/clock.ts';
import { buildApp, type App, type BuildOptions } from '../../src/http/app.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';
import { QueryCounter } from '../helpers/query-counter.ts';

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

describe('rate limits', () => {
  let db: TestDb;
  const apps: App[] = [];
  let admin: string;
  let sales: string;

  beforeAll(async () => {
    db = await openTestDb();
    admin = (await createApiKey(db.db, { name: 'admin', role: 'admin', plantIds: null })).key;
    sales = (await createApiKey(db.db, { name: 'sales', role: 'sales', plantIds: null })).key;
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    await db?.close();
  });

  const anApp = async (opts: BuildOptions, counter?: QueryCounter, extra?: (app: App) => void) => {
    const app = await buildApp(
      {
        db: counter ? db.db.withPlugin(counter) : db.db,
        clock: fixedClock('2026-11-23T08:00:00Z'),
        maxOrderQuantity: 1000,
        listen: db.listen,
      },
      opts,
    );
    extra?.(app);
    await app.ready();
    apps.push(app);
    return app;
  };

  it('answers 429 problem+json with Retry-After once a key passes its limit, and counts each key apart', async () => {
    const app = await anApp({ rateLimits: { perKey: 3, windowMs: 60_000 } });
    for (let i = 0; i < 3; i++) expect((await app.inject({ url: '/v1/plants', headers: bearer(admin) })).statusCode).toBe(200);
    const res = await app.inject({ url: '/v1/plants', headers: bearer(admin) });
    expect(res.statusCode).toBe(429);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(res.json()).toMatchObject({ type: 'https://drumbeat.dev/problems/rate-limited', status: 429 });
    expect(res.json().detail).toMatch(/more than 3 requests in 60 s/);
    expect((await app.inject({ url: '/v1/plants', headers: bearer(sales) })).statusCode).toBe(200);
  });

  it('counts invalid requests too (the limit runs before the body is validated)', async () => {
    const app = await anApp({ rateLimits: { perKey: 2, windowMs: 60_000 } });
    const bad = { method: 'POST' as const, url: '/v1/plants', headers: bearer(admin), payload: { id: 'NOT A SLUG' } };
    expect((await app.inject(bad)).statusCode).toBe(400);
    expect((await app.inject(bad)).statusCode).toBe(400);
    expect((await app.inject(bad)).statusCode).toBe(429);
  });

  it('never limits health, readiness, the docs, the OpenAPI document or a route flagged rateLimit: false', async () => {
    const app = await anApp({ rateLimits: { perKey: 1, failuresPerAddress: 1, windowMs: 60_000 } }, undefined, (a) =>
      a.get('/v1/stream-like', { config: { roles: ['sales'], rateLimit: false } }, async () => ({ ok: true })),
    );
    for (let i = 0; i < 5; i++) {
      for (const url of ['/healthz', '/readyz', '/openapi.json', '/docs/'])
        expect((await app.inject({ url, headers: bearer(admin) })).statusCode, url).toBeLessThan(400);
      expect((await app.inject({ url: '/v1/stream-like', headers: bearer(sales) })).statusCode).toBe(200);
    }
  });

  it('refuses an address with too many failed authentications before looking any key up', async () => {
    const counter = new QueryCounter('api_keys');
    const app = await anApp({ rateLimits: { failuresPerAddress: 5, windowMs: 60_000 } }, counter);
    const from = (remoteAddress: string, headers: Record<string, string>) => app.inject({ url: '/v1/plants', remoteAddress, headers });
    for (let i = 0; i < 4; i++) expect((await from('10.0.0.1', bearer(`drb_garbage_${i}`))).statusCode).toBe(401);
    expect((await from('10.0.0.1', {})).statusCode).toBe(401);
    const queries = counter.count;
    const refused = await from('10.0.0.1', bearer(admin));
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(refused.json().type).toBe('https://drumbeat.dev/problems/rate-limited');
    expect((await from('10.0.0.1', bearer('drb_more_garbage'))).statusCode).toBe(429);
    expect(counter.count).toBe(queries);
    // Another address, and the same /64 block of IPv6 counted as one client.
    expect((await from('10.0.0.2', bearer(admin))).statusCode).toBe(200);
    for (let i = 0; i < 5; i++) await from(`2001:db8::${i + 1}`, bearer('drb_v6_garbage'));
    expect((await from('2001:db8::ffff', bearer(admin))).statusCode).toBe(429);
  });

  it('answers 1,000 requests with the same garbage key with at most one key query', async () => {
    const counter = new QueryCounter('api_keys');
    const app = await anApp({}, counter);
    const before = counter.count;
    for (let i = 0; i < 1000; i++) {
      const res = await app.inject({ url: '/v1/plants', headers: bearer('drb_this_is_not_a_key') });
      expect(res.statusCode).toBe(401);
    }
    expect(counter.count - before).toBeLessThanOrEqual(1);
  });
});
