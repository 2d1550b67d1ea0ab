import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/http/app.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { realPostgresAvailable } from '../helpers/db.ts';
import { NOW, routePlantSession } from '../helpers/route-plant.ts';

// Capacity lost off the drum is absorbed by a right-shift (RouteBook.recalendar): the plans it
// moves are stored, so a process that reads everything afresh publishes the same plan as the
// one that made the write (the heat → drum → test plant of test/helpers/route-plant.ts).

const kind = realPostgresAvailable() ? 'postgres' : 'pglite';

describe(`right-shift off the drum: warm and cold processes agree (${kind})`, () => {
  let t: TestApp;
  const s = routePlantSession(() => t, 'rshift');
  beforeAll(async () => {
    t = await buildTestApp({ now: NOW, kind });
  });
  beforeEach(() => t.clock.set(NOW));
  afterAll(async () => t.close());

  const confirm = async (sku: string, quantity: number, count: number) => {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const hold = await s.ok('POST', 'holds', 'sales', { sku, quantity, customer: `C${i}` });
      await s.ok('POST', `holds/${hold.id}/confirm`, 'sales', {});
      ids.push(hold.id as string);
    }
    return ids;
  };
  /** The published plan and every order's plan, as a fresh process reads them from the database. */
  const published = async (app: App) => {
    const get = async (path: string) => {
      const res = await app.inject({ method: 'GET', url: `${s.P}/${path}`, headers: t.as('planner') });
      expect(res.statusCode, res.body).toBe(200);
      return res.json();
    };
    const plan = await get('plan');
    const orders = (await get('orders?limit=200')).items as { id: string }[];
    const plans = [];
    for (const o of orders) plans.push(await get(`orders/${o.id}/plan`));
    const atRisk = await get('at-risk');
    return { plan, plans, atRisk };
  };
  const expectColdAgrees = async () => {
    const warm = await published(t.app);
    const cold = await buildApp({ db: t.db.db, clock: t.clock, maxOrderQuantity: 100_000 });
    try {
      expect(await published(cold)).toEqual(warm);
    } finally {
      await cold.close();
    }
  };

  it('after a heat breakdown, a planned heat downtime and a breakdown that makes orders late', async () => {
    await s.create();
    const h = await confirm('H', 5, 4);
    await confirm('D', 4, 2);
    await s.ok('POST', `orders/${h[0]!}/release`, 'planner', {});
    const b1 = await s.ok('POST', 'breakdowns', 'planner', {
      resource: 'heat',
      start: '2026-11-23T08:00:00Z',
      expectedEnd: '2026-11-23T10:00:00Z',
      reason: 'burner',
    });
    expect(b1.lateOrders).toEqual([]);
    await expectColdAgrees();
    const downtime = { resource: 'heat', kind: 'downtime', date: '2026-11-24', start: '12:00', end: '13:00', reason: 'check' };
    const preview = await s.ok('POST', 'capacity-changes?preview=true', 'planner', downtime);
    const write = await s.call('POST', 'capacity-changes', 'planner', downtime);
    expect(write.statusCode, write.body).toBe(preview.late.length === 0 ? 201 : 409);
    await expectColdAgrees();
    // A whole heat day lost: some promise can no longer be kept; exactly those are named, and at risk.
    const b2 = await s.ok('POST', 'breakdowns', 'planner', {
      resource: 'heat',
      start: '2026-11-25T05:00:00Z',
      expectedEnd: '2026-11-25T13:00:00Z',
      reason: 'burner again',
    });
    const late = (b2.lateOrders as { orderId: string }[]).map((l) => l.orderId).sort();
    expect(late.length).toBeGreaterThan(0);
    const risk = ((await s.ok('GET', 'at-risk', 'planner')).items as { orderId: string }[]).map((r) => r.orderId).sort();
    expect(risk).toEqual(late);
    await expectColdAgrees();
    // Time passing on both.
    t.clock.set('2026-11-24T09:00:00Z');
    await expectColdAgrees();
  });
});
