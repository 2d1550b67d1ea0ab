import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/domain/api-keys.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { aPlant } from '../helpers/builders.ts';

/**
 * The escalation paths a black-box probe found (issue 14), tried as an attacker holding an
 * admin key limited to plant p1 would try them.
 */
let t: TestApp;
let attacker: { authorization: string };
let globalAdminId: string;
let p2KeyId: string;
let p1p2KeyId: string;
let p1KeyId: string;

beforeAll(async () => {
  t = await buildTestApp();
  for (const id of ['p1', 'p2']) {
    const res = await t.app.inject({ method: 'POST', url: '/v1/plants', headers: t.as('admin'), payload: aPlant({ id }) });
    expect(res.statusCode).toBe(201);
  }
  const limited = await createApiKey(t.db.db, { name: 'p1 admin', role: 'admin', plantIds: ['p1'] });
  attacker = { authorization: `Bearer ${limited.key}` };
  globalAdminId = (await createApiKey(t.db.db, { name: 'global admin', role: 'admin', plantIds: null })).id;
  p2KeyId = (await createApiKey(t.db.db, { name: 'p2 sales', role: 'sales', plantIds: ['p2'] })).id;
  p1p2KeyId = (await createApiKey(t.db.db, { name: 'p1+p2 planner', role: 'planner', plantIds: ['p1', 'p2'] })).id;
  p1KeyId = (await createApiKey(t.db.db, { name: 'p1 sales', role: 'sales', plantIds: ['p1'] })).id;
});
afterAll(async () => t.close());

const createKey = (headers: { authorization: string }, payload: object) =>
  t.app.inject({ method: 'POST', url: '/v1/api-keys', headers, payload });

describe('a plant-limited admin key cannot escape its plants', () => {
  it('cannot create an unrestricted admin key (403), and the key does not exist afterwards', async () => {
    const res = await createKey(attacker, { name: 'escalated', role: 'admin' });
    expect(res.statusCode).toBe(403);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json().type).toBe('https://drumbeat.dev/problems/forbidden');
    const all = await t.app.inject({ method: 'GET', url: '/v1/api-keys', headers: t.as('admin') });
    expect(all.json().items.map((k: { name: string }) => k.name)).not.toContain('escalated');
  });

  it('cannot create a key for another plant, nor for its own plant plus another', async () => {
    for (const plants of [['p2'], ['p1', 'p2']]) {
      const res = await createKey(attacker, { name: 'reach', role: 'sales', plants });
      expect(res.statusCode, JSON.stringify(plants)).toBe(403);
    }
  });

  it('may create keys limited to its own plant', async () => {
    const res = await createKey(attacker, { name: 'p1 erp', role: 'erp', plants: ['p1'] });
    expect(res.statusCode).toBe(201);
    expect(res.json().plants).toEqual(['p1']);
  });

  it('the key it creates cannot reach another plant either', async () => {
    const created = await createKey(attacker, { name: 'p1 admin 2', role: 'admin', plants: ['p1'] });
    const child = { authorization: `Bearer ${created.json().key}` };
    expect((await t.app.inject({ method: 'GET', url: '/v1/plants/p2', headers: child })).statusCode).toBe(403);
    expect((await createKey(child, { name: 'grandchild', role: 'admin' })).statusCode).toBe(403);
  });

  it('lists only the keys limited to its own plants', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/api-keys', headers: attacker });
    expect(res.statusCode).toBe(200);
    const items: { id: string; plants: string[] | null }[] = res.json().items;
    const ids = items.map((k) => k.id);
    expect(ids).toContain(p1KeyId);
    expect(ids).not.toContain(globalAdminId);
    expect(ids).not.toContain(p2KeyId);
    expect(ids).not.toContain(p1p2KeyId);
    for (const k of items) expect(k.plants).toEqual(['p1']);
  });

  it('cannot revoke a global admin key, a key of another plant or a wider key: 404 like a missing key', async () => {
    for (const id of [globalAdminId, p2KeyId, p1p2KeyId, 'key_does_not_exist']) {
      const res = await t.app.inject({ method: 'DELETE', url: `/v1/api-keys/${id}`, headers: attacker });
      expect(res.statusCode, id).toBe(404);
      expect(res.json().type).toBe('https://drumbeat.dev/problems/not-found');
    }
    const all = await t.app.inject({ method: 'GET', url: '/v1/api-keys', headers: t.as('admin') });
    const live = all.json().items.filter((k: { revokedAt: string | null }) => k.revokedAt === null);
    expect(live.map((k: { id: string }) => k.id)).toEqual(expect.arrayContaining([globalAdminId, p2KeyId, p1p2KeyId]));
  });

  it('may revoke a key limited to its own plant', async () => {
    const res = await t.app.inject({ method: 'DELETE', url: `/v1/api-keys/${p1KeyId}`, headers: attacker });
    expect(res.statusCode).toBe(204);
  });

  it('cannot create plants (403)', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/v1/plants', headers: attacker, payload: aPlant({ id: 'p9' }) });
    expect(res.statusCode).toBe(403);
    const get = await t.app.inject({ method: 'GET', url: '/v1/plants/p9', headers: t.as('admin') });
    expect(get.statusCode).toBe(404);
  });

  it('cannot read or list another plant', async () => {
    const one = await t.app.inject({ method: 'GET', url: '/v1/plants/p2', headers: attacker });
    expect(one.statusCode).toBe(403);
    const list = await t.app.inject({ method: 'GET', url: '/v1/plants', headers: attacker });
    expect(list.json().items.map((p: { id: string }) => p.id)).toEqual(['p1']);
    const resources = await t.app.inject({ method: 'GET', url: '/v1/plants/p2/resources', headers: attacker });
    expect(resources.statusCode).toBe(403);
  });
});

describe('an unrestricted admin keeps full power', () => {
  it('creates unrestricted keys and plants, lists every key and revokes any', async () => {
    const created = await createKey(t.as('admin'), { name: 'another global', role: 'admin' });
    expect(created.statusCode).toBe(201);
    expect(created.json().plants).toBeNull();
    const plant = await t.app.inject({ method: 'POST', url: '/v1/plants', headers: t.as('admin'), payload: aPlant({ id: 'p3' }) });
    expect(plant.statusCode).toBe(201);
    const list = await t.app.inject({ method: 'GET', url: '/v1/api-keys', headers: t.as('admin') });
    expect(list.json().items.map((k: { id: string }) => k.id)).toEqual(expect.arrayContaining([globalAdminId, p2KeyId, p1p2KeyId]));
    // Revokes a key of its own making: the tests run shuffled, and others count on p2KeyId staying live.
    const revoke = await t.app.inject({ method: 'DELETE', url: `/v1/api-keys/${created.json().id}`, headers: t.as('admin') });
    expect(revoke.statusCode).toBe(204);
  });
});
