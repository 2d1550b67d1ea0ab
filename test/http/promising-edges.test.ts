import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { seedPlant } from '../helpers/builders.ts';
import { client, databaseKinds } from '../helpers/planning.ts';

// Edges of the promising rules, each on a plant of its own so the tests run in any order.
// Monday 2026-11-23 09:00 Berlin; the drum "cnc" works 06:00–22:00 Mon–Fri, so 780 drum
// minutes are left today. P1 loads the drum 30 + 10 × quantity minutes: 75 units = 780.
const NOW = '2026-11-23T08:00:00Z';
const FILL_MONDAY = 75;
// PB 2 so that a Wednesday promise (LT 2) is at the floor: the floor is the effective lead time
// max(LT, PB) (issue 12 item 8), and these tests fill Monday's drum for Wednesday's promises.
const WEDNESDAY_AT_FLOOR = { productionBufferDays: 2, shippingBufferDays: 2, standardLeadTimeDays: 2 };

describe.each(databaseKinds())('promising edges on %s', (kind) => {
  let t: TestApp;
  let plants = 0;
  beforeAll(async () => {
    t = await buildTestApp({ now: NOW, kind });
  });
  afterAll(async () => t.close());
  beforeEach(() => t.clock.set(NOW));

  /** A fresh plant (cnc drum, saw, P1) with the given policy. */
  const newPlant = async (policy: Record<string, number> = WEDNESDAY_AT_FLOOR) => {
    const id = `edge-${++plants}`;
    await seedPlant(t, id, policy);
    return client(() => t, id);
  };

  it('cancelling an order gives its drum capacity back at once', async () => {
    const c = await newPlant();
    const full = await c.order({ quantity: FILL_MONDAY, promiseDate: '2026-11-25' }, 'sales');
    const before = await c.call('POST', 'quotes', 'sales', { sku: 'P1', quantity: FILL_MONDAY, requestedDate: '2026-11-25' });
    expect(before.json()).toMatchObject({ requestedDateFeasible: false, earliestPromiseDate: '2026-11-26' });

    expect((await c.call('POST', `orders/${full.id}/cancel`, 'sales', { reason: 'customer withdrew' })).statusCode).toBe(200);
    const after = await c.call('POST', 'quotes', 'sales', { sku: 'P1', quantity: FILL_MONDAY, requestedDate: '2026-11-25' });
    expect(after.json()).toMatchObject({ requestedDateFeasible: true, earliestPromiseDate: '2026-11-25' });
    // And the capacity is really there to take.
    const again = await c.call('POST', 'orders', 'sales', { sku: 'P1', quantity: FILL_MONDAY, promiseDate: '2026-11-25', customer: 'B' });
    expect(again.statusCode).toBe(201);
  });

  it('replays a refusal to a retry with the same Idempotency-Key, even after capacity was freed', async () => {
    const c = await newPlant();
    const blocker = await c.order({ quantity: FILL_MONDAY, promiseDate: '2026-11-25' }, 'sales');
    const headers = { 'idempotency-key': 'refused-once' };
    const body = { sku: 'P1', quantity: FILL_MONDAY, promiseDate: '2026-11-25', customer: 'Retry' };
    const first = await c.call('POST', 'orders', 'sales', body, headers);
    expect(first.statusCode).toBe(409);
    expect(first.json().type).toBe('https://drumbeat.dev/problems/schedule-infeasible');

    expect((await c.call('POST', `orders/${blocker.id}/cancel`, 'sales', {})).statusCode).toBe(200);
    const retry = await c.call('POST', 'orders', 'sales', body, headers);
    expect(retry.statusCode).toBe(409);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.json()).toMatchObject({ type: first.json().type, earliestPromiseDate: first.json().earliestPromiseDate });
    const list = await c.call('GET', 'orders?customer=Retry', 'sales');
    expect(list.json().items).toHaveLength(0);
  });

  describe('ERP push', () => {
    const push = (c: Awaited<ReturnType<typeof newPlant>>, ext: string, body: object) =>
      c.call('PUT', `orders/by-external-id/${ext}`, 'erp', { sku: 'P1', quantity: 3, promiseDate: '2026-12-15', customer: 'K', ...body });

    it('records a changed customer as a change: new version, event, and the order shows it', async () => {
      const c = await newPlant();
      const first = await push(c, 'E-1', {});
      expect(first.statusCode).toBe(201);
      const v = await c.version();
      const changed = await push(c, 'E-1', { customer: 'K2' });
      expect(changed.statusCode).toBe(200);
      expect(changed.json()).toMatchObject({ id: first.json().id, customer: 'K2' });
      expect(await c.version()).toBe(v + 1);
      expect((await c.call('GET', `orders/${first.json().id}`, 'erp')).json().customer).toBe('K2');
      expect((await c.events()).at(-1)).toMatchObject({
        type: 'order.updated',
        data: { before: { customer: 'K' }, after: { customer: 'K2' }, via: 'erp-push' },
      });
    });

    it('refuses to change a cancelled order, whether customer or demand, and leaves it cancelled off the drum', async () => {
      const c = await newPlant();
      const first = await push(c, 'E-2', { quantity: FILL_MONDAY, promiseDate: '2026-11-25' });
      expect(first.statusCode).toBe(201);
      const id = first.json().id;
      expect((await c.call('POST', `orders/${id}/cancel`, 'erp', {})).statusCode).toBe(200);
      const v = await c.version();

      const customer = await push(c, 'E-2', { quantity: FILL_MONDAY, promiseDate: '2026-11-25', customer: 'Other' });
      expect(customer.statusCode).toBe(409);
      expect(customer.json()).toMatchObject({ orderStatus: 'cancelled' });
      const demand = await push(c, 'E-2', { quantity: FILL_MONDAY, promiseDate: '2026-11-26' });
      expect(demand.statusCode).toBe(409);

      expect(await c.version()).toBe(v);
      expect((await c.call('GET', `orders/${id}`, 'erp')).json()).toMatchObject({
        status: 'cancelled',
        customer: 'K',
        promiseDate: '2026-11-25',
      });
      // Its capacity stays free: Monday can still take a full day of work.
      const quote = await c.call('POST', 'quotes', 'sales', { sku: 'P1', quantity: FILL_MONDAY, requestedDate: '2026-11-25' });
      expect(quote.json().requestedDateFeasible).toBe(true);
      expect((await c.call('GET', 'schedule', 'planner')).json().orders).toEqual([]);
    });
  });

  it('accepts a requested date whose drum deadline is exactly the earliest feasible one', async () => {
    // A UTC drum that works around the clock: 960 minutes left on Monday, 1 440 on Tuesday.
    // An order of exactly 2 400 minutes finishes at Tuesday 24:00, the drum deadline of a
    // Tuesday promise with no shipping buffer: the earliest deadline equals it to the minute.
    const id = `edge-${++plants}`;
    const admin = t.as('admin');
    const days = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
    const calendar = { weekly: days.map((day) => ({ day, start: '00:00', end: '24:00' })), exceptions: [] };
    for (const [method, url, payload] of [
      ['POST', '/v1/plants', { id, name: 'Round the clock', timeZone: 'UTC' }],
      ['PUT', `/v1/plants/${id}/resources/drum`, { name: 'Drum', drum: true, calendar }],
      ['PUT', `/v1/plants/${id}/products/M`, { name: 'Minute', routing: [{ resource: 'drum', setupMinutes: 0, runMinutesPerUnit: 1 }] }],
      ['PUT', `/v1/plants/${id}/buffer-policy`, { productionBufferDays: 1, shippingBufferDays: 0, standardLeadTimeDays: 1 }],
    ] as const) {
      const res = await t.app.inject({ method, url, headers: admin, payload });
      expect(res.statusCode, `${url}: ${res.body}`).toBeLessThan(300);
    }
    const c = client(() => t, id);
    const quote = await c.call('POST', 'quotes', 'sales', { sku: 'M', quantity: 2400, requestedDate: '2026-11-24' });
    expect(quote.json()).toMatchObject({ earliestPromiseDate: '2026-11-24', requestedDateFeasible: true });
    const order = await c.call('POST', 'orders', 'sales', { sku: 'M', quantity: 2400, promiseDate: '2026-11-24', customer: 'Edge' });
    expect(order.statusCode).toBe(201);
    // One minute more does not fit: the boundary is exact.
    const more = await c.call('POST', 'quotes', 'sales', { sku: 'M', quantity: 1, requestedDate: '2026-11-24' });
    expect(more.json()).toMatchObject({ requestedDateFeasible: false, earliestPromiseDate: '2026-11-25' });
  });

  it('refuses a date inside the standard lead time even when capacity and the shipping buffer allow it', async () => {
    // Shipping buffer 0 but lead time 3: Tuesday has room on the drum and a drum deadline
    // after now, yet it is inside the lead-time floor (Thursday).
    const c = await newPlant({ productionBufferDays: 3, shippingBufferDays: 0, standardLeadTimeDays: 3 });
    const quote = await c.call('POST', 'quotes', 'sales', { sku: 'P1', quantity: 1, requestedDate: '2026-11-24' });
    expect(quote.json()).toMatchObject({
      earliestPromiseDate: '2026-11-26',
      requestedDateFeasible: false,
      capacityNeeded: { bindingLimit: 'lead-time-floor' },
    });
    const v = await c.version();
    const hold = await c.call('POST', 'holds', 'sales', { sku: 'P1', quantity: 1, promiseDate: '2026-11-24' });
    expect(hold.statusCode).toBe(409);
    expect(hold.json()).toMatchObject({ earliestPromiseDate: '2026-11-26', capacityNeeded: { bindingLimit: 'lead-time-floor' } });
    expect(await c.version()).toBe(v);
    expect((await c.call('POST', 'holds', 'sales', { sku: 'P1', quantity: 1, promiseDate: '2026-11-26' })).statusCode).toBe(201);
  });

  it('refuses a buffer-policy write whose If-Match is stale, and keeps the policy', async () => {
    const c = await newPlant({ productionBufferDays: 4, shippingBufferDays: 2, standardLeadTimeDays: 2 });
    const current = await c.call('GET', 'buffer-policy', 'planner');
    const etag = current.headers.etag as string;
    const revision = current.json().revision as number;
    const stale = await c.call('PUT', 'buffer-policy', 'planner', { productionBufferDays: 6 }, { 'if-match': `"${revision - 1}"` });
    expect(stale.statusCode).toBe(412);
    expect(stale.json()).toMatchObject({ currentRevision: revision });
    expect((await c.call('GET', 'buffer-policy', 'planner')).json()).toMatchObject({ productionBufferDays: 4, revision });
    const fresh = await c.call('PUT', 'buffer-policy', 'planner', { productionBufferDays: 6 }, { 'if-match': etag });
    expect(fresh.statusCode).toBe(200);
    expect(fresh.json()).toMatchObject({ productionBufferDays: 6, revision: revision + 1 });
  });

  it('freezes orders starting before now + the frozen window, and not one starting exactly at its end', async () => {
    const c = await newPlant({ ...WEDNESDAY_AT_FLOOR, frozenWindowMinutes: 60 });
    // B is due Thursday and released now: a product with its own 3-day buffer (its floor is
    // Thursday; with the plant's 2 days it would be released on Tuesday).
    const p3 = { name: 'P3', routing: [{ resource: 'cnc', setupMinutes: 30, runMinutesPerUnit: 10 }], productionBufferDays: 3 };
    expect((await c.call('PUT', 'products/P3', 'admin', p3)).statusCode).toBe(201);
    // A (60 min) starts now, B (60 min) right after it: at now + 60, the window's end.
    const a = await c.order({ quantity: 3, promiseDate: '2026-11-25' });
    const b = await c.order({ quantity: 3, promiseDate: '2026-11-26', sku: 'P3' });
    await c.order({ quantity: 3, promiseDate: '2026-12-18' }); // a write after B, so the head is judged with B in it
    const frozen = async () => (await c.events()).filter((e) => e.type === 'schedule.frozen').flatMap((e) => e.data.orderIds as string[]);
    expect(await frozen()).toEqual([a.id]);

    expect((await c.call('PUT', 'buffer-policy', 'planner', { productionBufferDays: 2, frozenWindowMinutes: 61 })).statusCode).toBe(200);
    await c.order({ quantity: 3, promiseDate: '2026-12-18' });
    expect(await frozen()).toEqual([a.id, b.id]);
  });
});
