import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { Role } from '../../src/domain/actor.ts';
import { buildTestApp, type TestApp } from './app.ts';
import { seedPlant } from './builders.ts';
import { realPostgresAvailable } from './db.ts';

/** Every planning behaviour runs on the embedded database and, when configured, on PostgreSQL. */
export const databaseKinds = () => (realPostgresAvailable() ? (['pglite', 'postgres'] as const) : (['pglite'] as const));

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Short request helpers bound to one test app and plant. */
export function client(t: () => TestApp, plant = 'plant-1') {
  const P = `/v1/plants/${plant}`;
  const call = (method: Method, url: string, role: Role, payload?: unknown, headers: Record<string, string> = {}) =>
    t().app.inject({
      method,
      url: url.startsWith('/') ? url : `${P}/${url}`,
      headers: { ...t().as(role), ...headers },
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
  return {
    P,
    call,
    version: async () => (await call('GET', P, 'planner')).json().scheduleVersion as number,
    events: async () =>
      (await call('GET', 'events?limit=1000', 'planner')).json().items as {
        seq: number;
        type: string;
        scheduleVersion: number;
        orderId: string | null;
        data: any;
      }[],
    order: async (body: { quantity: number; promiseDate: string; customer?: string; sku?: string }, role: Role = 'planner') => {
      const res = await call('POST', 'orders', role, { sku: 'P1', customer: 'ACME', ...body });
      if (res.statusCode !== 201) throw new Error(`order: ${res.statusCode} ${res.body}`);
      return res.json() as { id: string; promiseDate: string; drumLoadMinutes: number };
    },
  };
}

/** A quote's answer without its record id (every quote gets a new one): what two processes must agree on. */
export const quoteAnswer = (body: Record<string, unknown>) => {
  const { quoteId: _id, ...answer } = body;
  return answer;
};

/**
 * One app per test file and a freshly seeded plant per test (tests run shuffled, so none may
 * depend on another): call inside a describe; before each test the clock is back at `now`,
 * `ctx.t` is the app and `ctx.c` a client of that test's plant `ctx.plant`.
 */
export function plantPerTest(kind: 'postgres' | 'pglite', prefix: string, policy: Record<string, number>, now = '2026-11-23T08:00:00Z') {
  const ctx = { t: undefined as unknown as TestApp, c: undefined as unknown as ReturnType<typeof client>, plant: '' };
  let plants = 0;
  beforeAll(async () => {
    ctx.t = await buildTestApp({ now, kind });
  });
  beforeEach(async () => {
    // Some tests move the clock; the next one (in any order) starts where every test starts.
    ctx.t.clock.set(now);
    ctx.plant = `${prefix}-${++plants}`;
    await seedPlant(ctx.t, ctx.plant, policy);
    ctx.c = client(() => ctx.t, ctx.plant);
  });
  afterAll(async () => ctx.t.close());
  return ctx;
}
