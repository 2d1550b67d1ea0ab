import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES, type Role } from '../../src/domain/actor.ts';
import { createApiKey } from '../../src/domain/api-keys.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { seedPlant } from '../helpers/builders.ts';

// The role × route × plant-scope matrix, generated from the routes themselves (the OpenAPI
// document carries each operation's roles from the same config the auth hook enforces), so a
// new route is covered the day it is added, and one without an access rule fails here.

type Scope = 'all plants' | 'this plant' | 'another plant';
const SCOPES: Scope[] = ['all plants', 'this plant', 'another plant'];
/** Routes anyone may call, on purpose. Anything else must declare its roles. */
const PUBLIC = new Set(['GET /healthz', 'GET /readyz']);
/** Routes outside any plant that a plant-limited key may still not use. */
const ALL_PLANTS_ONLY = new Set(['POST /v1/plants']);

interface Op {
  method: string;
  path: string;
  roles: Role[] | null;
}

let t: TestApp;
let ops: Op[];
const keys = new Map<string, string>();
const MISSING_ID = '00000000-0000-4000-8000-000000000000';

beforeAll(async () => {
  t = await buildTestApp();
  await seedPlant(t, 'plant-1');
  await seedPlant(t, 'plant-2');
  for (const role of ROLES) {
    keys.set(`${role}|all plants`, (await createApiKey(t.db.db, { name: `${role} all`, role, plantIds: null })).key);
    keys.set(`${role}|this plant`, (await createApiKey(t.db.db, { name: `${role} p1`, role, plantIds: ['plant-1'] })).key);
    keys.set(`${role}|another plant`, (await createApiKey(t.db.db, { name: `${role} p2`, role, plantIds: ['plant-2'] })).key);
  }
  const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
  ops = Object.entries<Record<string, { 'x-drumbeat-roles'?: Role[] }>>(doc.paths).flatMap(([path, byMethod]) =>
    Object.entries(byMethod).map(([method, op]) => ({ method: method.toUpperCase(), path, roles: op['x-drumbeat-roles'] ?? null })),
  );
});
afterAll(async () => t.close());

const urlOf = (path: string) =>
  path
    .replace('{plant}', 'plant-1')
    .replace(/\{(id|orderId)\}/g, MISSING_ID)
    .replace(/\{[A-Za-z]+\}/g, 'x1') +
  // An event stream stays open; an invalid cursor makes an allowed caller's answer a 400 (checked after access).
  (path.endsWith('/events/stream') ? '?after=-1' : '');

describe('the access matrix', () => {
  it('covers every documented operation, and every non-public one declares its roles', () => {
    expect(ops.length).toBeGreaterThanOrEqual(40);
    for (const op of ops) {
      if (op.roles === null) expect(PUBLIC.has(`${op.method} ${op.path}`), `${op.method} ${op.path} has no roles`).toBe(true);
    }
  });

  it('answers every role × route × plant scope as the rules say', async () => {
    const violations: string[] = [];
    let cases = 0;
    for (const op of ops) {
      if (op.roles === null) continue;
      const onPlant = op.path.includes('{plant}');
      for (const role of ROLES) {
        for (const scope of SCOPES) {
          cases++;
          const res = await t.app.inject({
            method: op.method as 'GET',
            url: urlOf(op.path),
            headers: { authorization: `Bearer ${keys.get(`${role}|${scope}`)}` },
            ...(['POST', 'PUT'].includes(op.method) ? { payload: {} } : {}),
          });
          const allowedRole = op.roles.includes(role);
          const inScope = scope === 'all plants' || (onPlant ? scope === 'this plant' : !ALL_PLANTS_ONLY.has(`${op.method} ${op.path}`));
          const expected = allowedRole && inScope ? 'not 401/403' : '403';
          const ok = expected === '403' ? res.statusCode === 403 : res.statusCode !== 401 && res.statusCode !== 403;
          if (!ok) violations.push(`${op.method} ${op.path} as ${role} (${scope}): ${res.statusCode}, expected ${expected}`);
          if (res.statusCode >= 500) violations.push(`${op.method} ${op.path} as ${role} (${scope}): server error ${res.statusCode}`);
        }
      }
    }
    expect(cases).toBe(ops.filter((o) => o.roles !== null).length * ROLES.length * SCOPES.length);
    expect(violations).toEqual([]);
  });

  it('answers an unauthenticated call to every non-public route with 401', async () => {
    for (const op of ops.filter((o) => o.roles !== null)) {
      const res = await t.app.inject({ method: op.method as 'GET', url: urlOf(op.path) });
      expect(res.statusCode, `${op.method} ${op.path}`).toBe(401);
    }
  });
});

describe('ownership: a sales key and the orders of another principal', () => {
  it('cannot see or act on another owner’s hold (404, as if missing), while planners and ERP can read it', async () => {
    const mine = `Bearer ${keys.get('sales|all plants')}`;
    const theirs = `Bearer ${keys.get('sales|this plant')}`;
    const hold = await t.app.inject({
      method: 'POST',
      url: '/v1/plants/plant-1/holds',
      headers: { authorization: mine },
      payload: { sku: 'P1', quantity: 1, customer: 'ACME' },
    });
    expect(hold.statusCode).toBe(201);
    const id = hold.json().id;
    const base = '/v1/plants/plant-1';
    for (const [method, url] of [
      ['GET', `${base}/orders/${id}`],
      ['POST', `${base}/holds/${id}/confirm`],
      ['DELETE', `${base}/holds/${id}`],
      ['POST', `${base}/orders/${id}/cancel`],
    ] as const) {
      const res = await t.app.inject({ method, url, headers: { authorization: theirs }, ...(method === 'POST' ? { payload: {} } : {}) });
      expect(res.statusCode, `${method} ${url}`).toBe(404);
    }
    for (const reader of ['planner|this plant', 'erp|this plant']) {
      const res = await t.app.inject({
        method: 'GET',
        url: `${base}/orders/${id}`,
        headers: { authorization: `Bearer ${keys.get(reader)}` },
      });
      expect(res.statusCode, reader).toBe(200);
    }
    const own = await t.app.inject({ method: 'GET', url: `${base}/orders/${id}`, headers: { authorization: mine } });
    expect(own.json().status).toBe('held');
  });
});
