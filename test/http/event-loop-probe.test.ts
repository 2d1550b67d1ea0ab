import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.ts';

describe('GET /internal/event-loop', () => {
  let on: TestApp;
  let off: TestApp;
  beforeAll(async () => {
    on = await buildTestApp({ build: { eventLoopProbe: true } });
    off = await buildTestApp();
  });
  afterAll(async () => {
    await on.close();
    await off.close();
  });

  it('answers the event-loop delay to an admin key when the probe is on, and resets on request', async () => {
    await new Promise((r) => setTimeout(r, 50));
    const res = await on.app.inject({ method: 'GET', url: '/internal/event-loop?reset=true', headers: on.as('admin') });
    expect(res.statusCode).toBe(200);
    expect(Object.keys(res.json()).sort()).toEqual(['maxMs', 'meanMs', 'p50Ms', 'p99Ms', 'samples']);
    expect((await on.app.inject({ method: 'GET', url: '/internal/event-loop', headers: on.as('planner') })).statusCode).toBe(403);
  });

  it('does not exist when the probe is off, and is never in the OpenAPI document', async () => {
    expect((await off.app.inject({ method: 'GET', url: '/internal/event-loop', headers: off.as('admin') })).statusCode).toBe(404);
    const doc = (await on.app.inject({ method: 'GET', url: '/openapi.json' })).json() as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths).some((p) => p.includes('internal'))).toBe(false);
  });
});
