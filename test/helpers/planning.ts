import type { Role } from '../../src/domain/actor.ts';
import type { TestApp } from './app.ts';
import { realPostgresAvailable } from './db.ts';

/** Every planning behaviour runs on the embedded database and, when configured, on PostgreSQL. */
export const databaseKinds = () => (realPostgresAvailable() ? (['pglite', 'postgres'] as const) : (['pglite'] as const));

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

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
