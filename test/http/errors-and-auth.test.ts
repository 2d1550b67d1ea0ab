import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/domain/api-keys.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { aPlant } from '../helpers/builders.ts';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
  await t.app.inject({ method: 'POST', url: '/v1/plants', headers: t.as('admin'), payload: aPlant({ id: 'p1' }) });
  await t.app.inject({ method: 'POST', url: '/v1/plants', headers: t.as('admin'), payload: aPlant({ id: 'p2' }) });
});
afterAll(async () => t.close());

const problem = (res: { headers: Record<string, unknown>; json(): any }) => {
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = res.json();
  expect(body).toEqual(
    expect.objectContaining({
      type: expect.stringMatching(/^https:\/\/drumbeat\.dev\/problems\//),
      title: expect.any(String),
      status: expect.any(Number),
      detail: expect.any(String),
    }),
  );
  expect(JSON.stringify(body)).not.toMatch(/at .*\.ts:\d+/);
  return body;
};

describe('errors are problem+json', () => {
  it('malformed JSON is a 400', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/plants',
      headers: { ...t.as('admin'), 'content-type': 'application/json' },
      payload: '{"id": "x",',
    });
    expect(res.statusCode).toBe(400);
    expect(problem(res).type).toBe('https://drumbeat.dev/problems/malformed-json');
  });

  it('a wrong content type is a 415', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/plants',
      headers: { ...t.as('admin'), 'content-type': 'text/plain' },
      payload: 'hello',
    });
    expect(res.statusCode).toBe(415);
    expect(problem(res).type).toBe('https://drumbeat.dev/problems/unsupported-media-type');
  });

  it('a body over the limit is a 413', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/plants',
      headers: t.as('admin'),
      payload: { id: 'big', name: 'x'.repeat(2_000_000), timeZone: 'UTC' },
    });
    expect(res.statusCode).toBe(413);
    problem(res);
  });

  it('unknown fields and wrong types are a 400 listing each field', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/plants',
      headers: t.as('admin'),
      payload: { id: 'ok', name: 42, timeZone: 'UTC', colour: 'red' },
    });
    expect(res.statusCode).toBe(400);
    const body = problem(res);
    expect(body.errors.map((e: { field: string }) => e.field)).toEqual(expect.arrayContaining(['body.name', 'body']));
    expect(JSON.stringify(body.errors)).toContain('colour');
  });

  it('an unknown route is a 404 problem', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/nothing-here' });
    expect(res.statusCode).toBe(404);
    expect(problem(res).type).toBe('https://drumbeat.dev/problems/not-found');
  });

  it('bad input changes nothing', async () => {
    await t.app.inject({
      method: 'POST',
      url: '/v1/plants',
      headers: t.as('admin'),
      payload: { id: 'Bad Id!', name: 'x', timeZone: 'UTC' },
    });
    const list = await t.app.inject({ method: 'GET', url: '/v1/plants', headers: t.as('admin') });
    expect(list.json().items.map((p: { id: string }) => p.id)).toEqual(['p1', 'p2']);
  });
});

describe('API keys and roles', () => {
  it('no key is a 401', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/plants' });
    expect(res.statusCode).toBe(401);
    expect(problem(res).type).toBe('https://drumbeat.dev/problems/unauthorized');
  });

  it('an unknown key is a 401', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/plants', headers: { authorization: 'Bearer drb_nope' } });
    expect(res.statusCode).toBe(401);
  });

  it('a wrong role is a 403 before the body is validated', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/v1/plants', headers: t.as('sales'), payload: { nonsense: true } });
    expect(res.statusCode).toBe(403);
    expect(problem(res).detail).toContain('sales');
  });

  it('a key limited to one plant gets 403 on another and sees only its plant', async () => {
    const limited = await createApiKey(t.db.db, { name: 'p1 only', role: 'planner', plantIds: ['p1'] });
    const headers = { authorization: `Bearer ${limited.key}` };
    expect((await t.app.inject({ method: 'GET', url: '/v1/plants/p1', headers })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/v1/plants/p2', headers })).statusCode).toBe(403);
    const list = await t.app.inject({ method: 'GET', url: '/v1/plants', headers });
    expect(list.json().items.map((p: { id: string }) => p.id)).toEqual(['p1']);
  });

  it('an admin creates a key whose secret is shown once and stored only as a hash', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: t.as('admin'),
      payload: { name: 'Anna', role: 'sales', plants: ['p1'] },
    });
    expect(res.statusCode).toBe(201);
    const { key, id } = res.json();
    expect(key).toMatch(/^drb_/);
    const row = await t.db.db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain(key);
    const list = await t.app.inject({ method: 'GET', url: '/v1/api-keys', headers: t.as('admin') });
    expect(list.body).not.toContain(key);
    const use = await t.app.inject({ method: 'GET', url: '/v1/plants/p1', headers: { authorization: `Bearer ${key}` } });
    expect(use.statusCode).toBe(200);
  });
});

describe('health', () => {
  it('reports liveness and readiness without a key', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    expect((await t.app.inject({ method: 'GET', url: '/readyz' })).json()).toEqual({ status: 'ok' });
  });
});
