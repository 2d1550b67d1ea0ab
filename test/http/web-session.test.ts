import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES } from '../../src/domain/actor.ts';
import { createApiKey } from '../../src/domain/api-keys.ts';
import { buildApp, type App } from '../../src/http/app.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { seedPlant } from '../helpers/builders.ts';
import { databaseKinds } from '../helpers/planning.ts';

/** The session cookie's value out of a Set-Cookie header. */
const cookieOf = (res: { headers: Record<string, unknown> }) => {
  const header = String(res.headers['set-cookie']);
  const match = /drumbeat_session=([^;]*)/.exec(header);
  if (!match) throw new Error(`no session cookie in ${header}`);
  return match[1]!;
};

describe.each(databaseKinds())('web board sessions on %s', (kind) => {
  let t: TestApp;
  const signIn = async (apiKey: string) => {
    const res = await t.app.inject({ method: 'POST', url: '/app/session', payload: { apiKey } });
    expect(res.statusCode, res.body).toBe(200);
    return { body: res.json(), cookie: `drumbeat_session=${cookieOf(res)}`, setCookie: String(res.headers['set-cookie']) };
  };

  beforeAll(async () => {
    t = await buildTestApp({ kind });
    await seedPlant(t, 'plant-1');
  });
  afterAll(async () => t.close());

  it('signs in every role with its API key and answers who it is', async () => {
    for (const role of ROLES) {
      const { body, cookie } = await signIn(t.keys[role]);
      expect(body).toMatchObject({ role, name: `test ${role}`, plantIds: null });
      expect(body.csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(new Date(body.expiresAt).getTime()).toBe(t.clock.now().getTime() + 8 * 3_600_000);
      const again = await t.app.inject({ method: 'GET', url: '/app/session', headers: { cookie } });
      expect(again.statusCode).toBe(200);
      expect(again.json()).toEqual(body);
    }
  });

  it('sets an httpOnly, SameSite=Strict cookie of 256 random bits, Secure only over https', async () => {
    const { setCookie } = await signIn(t.keys.planner);
    expect(setCookie).toMatch(/drumbeat_session=[A-Za-z0-9_-]{43};/);
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Strict');
    expect(setCookie).toContain('Path=/');
    // Max-Age, counted on the browser's own clock: the session's 8 hours.
    expect(setCookie).toContain('Max-Age=28800');
    expect(setCookie).not.toContain('Secure');
    const a = await signIn(t.keys.planner);
    expect(a.cookie).not.toBe((await signIn(t.keys.planner)).cookie);
  });

  it('marks the cookie Secure behind a trusted TLS proxy', async () => {
    const proxied: App = await buildApp({ db: t.db.db, clock: t.clock, maxOrderQuantity: 1000 }, { trustProxyHops: 1 });
    try {
      const res = await proxied.inject({
        method: 'POST',
        url: '/app/session',
        headers: { 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.9' },
        payload: { apiKey: t.keys.floor },
      });
      expect(res.statusCode).toBe(200);
      expect(String(res.headers['set-cookie'])).toContain('Secure');
    } finally {
      await proxied.close();
    }
  });

  it('refuses an unknown or revoked key with 401, and the attempt counts against the address', async () => {
    const wrong = await t.app.inject({ method: 'POST', url: '/app/session', payload: { apiKey: 'drb_nope' } });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().type).toBe('https://drumbeat.dev/problems/unauthorized');
    expect(wrong.headers['set-cookie']).toBeUndefined();
    const strict = await buildTestApp({ kind, build: { rateLimits: { failuresPerAddress: 2 } } });
    try {
      for (let i = 0; i < 2; i++) {
        expect((await strict.app.inject({ method: 'POST', url: '/app/session', payload: { apiKey: 'drb_x' } })).statusCode).toBe(401);
      }
      const blocked = await strict.app.inject({ method: 'POST', url: '/app/session', payload: { apiKey: strict.keys.admin } });
      expect(blocked.statusCode).toBe(429);
    } finally {
      await strict.close();
    }
  });

  it('authenticates API requests with the cookie alone, with the key’s role and plants', async () => {
    const limited = await createApiKey(t.db.db, { name: 'line 2', role: 'floor', plantIds: ['plant-1'] });
    const { body, cookie } = await signIn(limited.key);
    expect(body.plantIds).toEqual(['plant-1']);
    expect((await t.app.inject({ method: 'GET', url: '/v1/plants/plant-1/buffer-board', headers: { cookie } })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/v1/plants/plant-1/plan', headers: { cookie } })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: '/v1/plants/other/buffer-board', headers: { cookie } })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: '/v1/plants/plant-1/buffer-board' })).statusCode).toBe(401);
  });

  it('a Bearer key wins over the cookie', async () => {
    const { cookie } = await signIn(t.keys.floor);
    const res = await t.app.inject({ method: 'GET', url: '/v1/plants/plant-1/plan', headers: { cookie, ...t.as('planner') } });
    expect(res.statusCode).toBe(200);
    // A Bearer write needs no CSRF token, cookie or not.
    const write = await t.app.inject({
      method: 'POST',
      url: '/v1/plants/plant-1/quotes',
      headers: { cookie, ...t.as('sales') },
      payload: { sku: 'P1', quantity: 1 },
    });
    expect(write.statusCode).toBe(200);
  });

  it('refuses a write made with the cookie without the right X-CSRF-Token, and accepts it with it', async () => {
    const { body, cookie } = await signIn(t.keys.sales);
    const quote = (headers: Record<string, string>) =>
      t.app.inject({
        method: 'POST',
        url: '/v1/plants/plant-1/quotes',
        headers: { cookie, ...headers },
        payload: { sku: 'P1', quantity: 1 },
      });
    const missing = await quote({});
    expect(missing.statusCode).toBe(403);
    expect(missing.json().type).toBe('https://drumbeat.dev/problems/csrf');
    const flipped = (body.csrfToken[0] === 'A' ? 'B' : 'A') + body.csrfToken.slice(1);
    const wrong = await quote({ 'x-csrf-token': flipped });
    expect(wrong.statusCode).toBe(403);
    expect((await quote({ 'x-csrf-token': 'short' })).statusCode).toBe(403);
    const other = await signIn(t.keys.sales);
    expect((await quote({ 'x-csrf-token': other.body.csrfToken })).statusCode).toBe(403);
    const ok = await quote({ 'x-csrf-token': body.csrfToken });
    expect(ok.statusCode, ok.body).toBe(200);
  });

  it('revoking the API key ends its sessions', async () => {
    const key = await createApiKey(t.db.db, { name: 'leaving', role: 'planner', plantIds: null });
    const { cookie } = await signIn(key.key);
    expect((await t.app.inject({ method: 'GET', url: '/v1/plants/plant-1/plan', headers: { cookie } })).statusCode).toBe(200);
    const revoke = await t.app.inject({ method: 'DELETE', url: `/v1/api-keys/${key.id}`, headers: t.as('admin') });
    expect(revoke.statusCode).toBe(204);
    expect((await t.app.inject({ method: 'GET', url: '/v1/plants/plant-1/plan', headers: { cookie } })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/app/session', headers: { cookie } })).statusCode).toBe(401);
  });

  it('a session ends after its lifetime, whatever the use', async () => {
    const { cookie } = await signIn(t.keys.planner);
    const start = t.clock.now().toISOString();
    try {
      t.clock.advance(8 * 3_600_000 - 1000);
      expect((await t.app.inject({ method: 'GET', url: '/v1/plants/plant-1/plan', headers: { cookie } })).statusCode).toBe(200);
      t.clock.advance(1000);
      const expired = await t.app.inject({ method: 'GET', url: '/v1/plants/plant-1/plan', headers: { cookie } });
      expect(expired.statusCode).toBe(401);
      expect(expired.json().detail).toMatch(/sign in again/);
      expect((await t.app.inject({ method: 'GET', url: '/app/session', headers: { cookie } })).statusCode).toBe(401);
    } finally {
      t.clock.set(start);
    }
  });

  it('signing out needs the CSRF token, deletes the session and clears the cookie', async () => {
    const { body, cookie } = await signIn(t.keys.erp);
    expect((await t.app.inject({ method: 'DELETE', url: '/app/session', headers: { cookie } })).statusCode).toBe(403);
    const out = await t.app.inject({ method: 'DELETE', url: '/app/session', headers: { cookie, 'x-csrf-token': body.csrfToken } });
    expect(out.statusCode).toBe(204);
    expect(String(out.headers['set-cookie'])).toMatch(/drumbeat_session=;.*Expires=Thu, 01 Jan 1970/);
    expect((await t.app.inject({ method: 'GET', url: '/app/session', headers: { cookie } })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'DELETE', url: '/app/session' })).statusCode).toBe(204);
  });

  it('GET /app/session without a cookie is 401, and sessions are not in the API document', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/app/session' })).statusCode).toBe(401);
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(Object.keys(doc.paths).filter((p) => p.startsWith('/app'))).toEqual([]);
  });
});
