import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/http/app.ts';
import type { TestApp } from '../helpers/app.ts';
import { seedPlant } from '../helpers/builders.ts';
import { databaseKinds } from '../helpers/planning.ts';
import { buildPoisonedApp, inOneBatch, seedBatchPlant } from '../helpers/write-batch.ts';

// Review of set-form batches (issue 11 item 4): mixed batches, then the warm process must
// answer every read as a cold one on the same database.
describe.each(databaseKinds())('set-form batches under attack on %s', (kind) => {
  let t: TestApp;
  let plants = 0;
  beforeAll(async () => {
    t = await buildPoisonedApp(kind);
  });
  afterAll(async () => t.close());

  const newPlant = () => seedBatchPlant(t, `rv-${++plants}`);
  const call = (plant: string, method: any, path: string, role: any, payload?: object, headers: Record<string, string> = {}) =>
    t.app.inject({ method, url: `/v1/plants/${plant}/${path}`, headers: { ...t.as(role), ...headers }, ...(payload ? { payload } : {}) });
  const order = (plant: string, customer: string, promiseDate: string, quantity = 2, headers: Record<string, string> = {}) =>
    call(plant, 'POST', 'orders', 'sales', { sku: 'P1', quantity, promiseDate, customer }, headers);
  /** Two hours of overtime on the drum tonight: a capacity change, so the batch rebuilds its rules. */
  const rushOvertime = (plant: string, headers: Record<string, string> = {}) =>
    call(
      plant,
      'POST',
      'capacity-changes',
      'planner',
      { resource: 'cnc', kind: 'overtime', date: '2026-11-23', start: '22:00', end: '24:00', reason: 'rush' },
      headers,
    );

  async function reads(app: typeof t.app, plant: string) {
    const get = async (path: string) => {
      const r = await app.inject({ url: `/v1/plants/${plant}/${path}`, headers: t.as('planner') });
      const body = r.json();
      if (body && typeof body === 'object') delete body.requestId;
      return { status: r.statusCode, body };
    };
    const list = await get('orders?limit=200');
    const out: Record<string, unknown> = {
      schedule: await get('schedule'),
      list,
      plan: await get('plan'),
      atRisk: await get('at-risk'),
      load: await get('load?from=2026-11-23&to=2026-12-20'),
      events: await get('events?limit=500'),
    };
    for (const o of list.body.items ?? []) {
      out[`order ${o.id}`] = await get(`orders/${o.id}`);
      out[`plan ${o.id}`] = await get(`orders/${o.id}/plan`);
    }
    return out;
  }

  async function expectWarmEqualsCold(plant: string) {
    const warm = await reads(t.app, plant);
    const fresh = await buildApp({ db: t.db.db, clock: t.clock, maxOrderQuantity: 100_000 });
    try {
      expect(await reads(fresh, plant)).toEqual(warm);
    } finally {
      await fresh.close();
    }
    return warm;
  }

  it('orders, a refused order, a downtime that needs them (unflushed) and another order, in one batch', async () => {
    const requests = (plant: string) => [
      () => order(plant, 'a', '2026-11-27', 247),
      () => order(plant, 'too-big', '2026-11-26', 99_000),
      () => order(plant, 'b', '2026-11-30', 2),
      () => call(plant, 'POST', 'capacity-changes', 'planner', { resource: 'cnc', kind: 'downtime', date: '2026-11-24', reason: 'repair' }),
      () => order(plant, 'c', '2026-12-04', 2),
    ];
    const one = await newPlant();
    const sequential = [];
    for (const r of requests(one)) sequential.push((await r()).statusCode);
    const plant = await newPlant();
    const answers = await inOneBatch(t, plant, requests(plant));
    expect(answers.map((a) => a.statusCode)).toEqual(sequential);
    expect(answers[3]!.json().lateOrders?.length).toBeGreaterThan(0);
    await expectWarmEqualsCold(plant);
  });

  it('an overtime (rules rebuild) between unflushed orders, then orders that need it', async () => {
    const plant = await newPlant();
    const answers = await inOneBatch(t, plant, [
      () => order(plant, 'a', '2026-12-01', 2),
      () => rushOvertime(plant),
      () => order(plant, 'rush', '2026-11-25', 85),
      () => order(plant, 'b', '2026-12-02', 2),
    ]);
    expect(answers.map((a) => a.statusCode)).toEqual([201, 201, 201, 201]);
    await expectWarmEqualsCold(plant);
  });

  it('a poison write with idempotent neighbours: fallback, then replays and the event log are consistent', async () => {
    const plant = await newPlant();
    const k1 = { 'idempotency-key': `${plant}-1` };
    const k2 = { 'idempotency-key': `${plant}-2` };
    const answers = await inOneBatch(t, plant, [
      () => order(plant, 'a', '2026-12-01', 2, k1),
      () => order(plant, 'too-big', '2026-11-26', 99_000, k2),
      () => order(plant, 'poison', '2026-12-02', 2),
      () => order(plant, 'b', '2026-12-03', 2),
    ]);
    expect(answers.map((a) => a.statusCode)).toEqual([201, 409, 500, 201]);
    const r1 = await order(plant, 'a', '2026-12-01', 2, k1);
    expect([r1.statusCode, r1.json().id]).toEqual([201, answers[0]!.json().id]);
    const r2 = await order(plant, 'too-big', '2026-11-26', 99_000, k2);
    expect(r2.statusCode).toBe(409);
    const warm = await expectWarmEqualsCold(plant);
    const events = (warm.events as any).body.items as { seq: number; scheduleVersion: number; type: string }[];
    expect(events.filter((e) => e.type === 'order.created')).toHaveLength(2);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => events[0]!.seq + i));
  });

  it('push twice with a change, then a create reusing the external id, in one batch', async () => {
    const plant = await newPlant();
    const push = (q: number, d: string) =>
      call(plant, 'PUT', 'orders/by-external-id/SO-9', 'erp', { sku: 'P1', quantity: q, promiseDate: d, customer: 'erp' });
    const answers = await inOneBatch(t, plant, [
      () => push(2, '2026-12-01'),
      () => push(3, '2026-12-02'),
      () => push(3, '2026-12-02'),
      () =>
        call(plant, 'POST', 'orders', 'sales', { sku: 'P1', quantity: 2, promiseDate: '2026-12-03', customer: 's', externalId: 'SO-9' }),
    ]);
    expect(answers.map((a) => a.statusCode)).toEqual([201, 200, 200, 409]);
    await expectWarmEqualsCold(plant);
  });

  it('holds under a hold cap in one batch are decided as they are one by one', async () => {
    const policy = { productionBufferDays: 2, shippingBufferDays: 2, standardLeadTimeDays: 2, holdCapDrumMinutes: 2000 };
    const key = await t.app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: t.as('admin'),
      payload: { name: 'capped', role: 'sales', principal: `capped-${plants}` },
    });
    const auth = { authorization: `Bearer ${key.json().key}` };
    const requests = (plant: string) =>
      [80, 80, 80, 10].map(
        (quantity) => () =>
          t.app.inject({ method: 'POST', url: `/v1/plants/${plant}/holds`, headers: auth, payload: { sku: 'P1', quantity } }),
      );
    const one = `rv-${++plants}`;
    await seedPlant(t, one, policy);
    const sequential = [];
    for (const r of requests(one)) sequential.push((await r()).statusCode);
    const plant = `rv-${++plants}`;
    await seedPlant(t, plant, policy);
    const answers = await inOneBatch(t, plant, requests(plant));
    expect(answers.map((a) => a.statusCode)).toEqual(sequential);
    expect(sequential).toContain(422);
    await expectWarmEqualsCold(plant);
  });

  it('the same Idempotency-Key twice on a capacity change (a rules rebuild) in one batch, then an order', async () => {
    const plant = await newPlant();
    const key = { 'idempotency-key': `${plant}-ot` };
    const overtime = () => rushOvertime(plant, key);
    const answers = await inOneBatch(t, plant, [
      () => order(plant, 'a', '2026-12-01', 2),
      overtime,
      overtime,
      () => order(plant, 'rush', '2026-11-25', 85),
    ]);
    expect(answers.map((a) => a.statusCode)).toEqual([201, 201, 409, 201]);
    const replay = await overtime();
    expect([replay.statusCode, replay.json().change?.id]).toEqual([201, answers[1]!.json().change.id]);
    await expectWarmEqualsCold(plant);
  });

  it('go-live behind an order in the same batch is refused; an order behind go-live sees its orders', async () => {
    const plant = await newPlant();
    const goLive = (ext: string) =>
      call(plant, 'POST', 'go-live', 'admin', {
        orders: [
          { sku: 'P1', quantity: 2, promiseDate: '2026-11-24', customer: 'late', externalId: ext },
          { sku: 'P1', quantity: 2, promiseDate: '2026-12-01', customer: 'ok' },
        ],
      });
    const answers = await inOneBatch(t, plant, [
      () => goLive('GL-1'),
      () =>
        call(plant, 'POST', 'orders', 'sales', { sku: 'P1', quantity: 2, promiseDate: '2026-12-03', customer: 's', externalId: 'GL-1' }),
      () => goLive('GL-2'),
      () => order(plant, 'b', '2026-12-02', 2),
    ]);
    expect(answers.map((a) => a.statusCode)).toEqual([201, 409, 409, 201]);
    await expectWarmEqualsCold(plant);
  });

  it('the answer a batched write gives (its in-memory row) is the order a later GET reads', async () => {
    const plant = await newPlant();
    const answers = await inOneBatch(t, plant, [
      () => call(plant, 'POST', 'holds', 'sales', { sku: 'P1', quantity: 3, ttlSeconds: 600, customer: 'h\u00e9 \n "q"' }),
      () =>
        call(plant, 'POST', 'orders', 'sales', {
          sku: 'P1',
          quantity: 2,
          promiseDate: '2026-12-08',
          customer: 'm',
          materialAvailableDate: '2026-11-30',
        }),
      () =>
        call(plant, 'PUT', 'orders/by-external-id/SO-T', 'erp', {
          sku: 'P1',
          quantity: 4,
          promiseDate: '2026-12-09',
          customer: 'e',
          customerId: 'C-1',
        }),
    ]);
    expect(answers.map((a) => a.statusCode)).toEqual([201, 201, 201]);
    for (const a of answers) {
      const got = await call(plant, 'GET', `orders/${a.json().id}`, 'planner');
      const { scheduleVersion: _v1, ...written } = a.json();
      const { scheduleVersion: _v2, ...read } = got.json();
      expect(read).toEqual(written);
    }
  });

  it('a poison order after a rules rebuild: the fallback keeps the overtime and the order that needs it', async () => {
    const plant = await newPlant();
    const answers = await inOneBatch(t, plant, [
      () => order(plant, 'a', '2026-12-01', 2),
      () => rushOvertime(plant, { 'idempotency-key': `${plant}-ot` }),
      () => order(plant, 'poison', '2026-12-02', 2),
      () => order(plant, 'rush', '2026-11-25', 85),
    ]);
    expect(answers.map((a) => a.statusCode)).toEqual([201, 201, 500, 201]);
    const replay = await rushOvertime(plant, { 'idempotency-key': `${plant}-ot` });
    expect(replay.json().change.id).toBe(answers[1]!.json().change.id);
    await expectWarmEqualsCold(plant);
  });
});
