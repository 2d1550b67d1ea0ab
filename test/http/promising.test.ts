import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { seedPlant } from '../helpers/builders.ts';
import { realPostgresAvailable } from '../helpers/db.ts';

// Monday 2026-11-23 09:00 in Europe/Berlin. The drum "cnc" works 06:00–22:00 Mon–Fri (960 min/day),
// so 780 drum minutes are left today. Product P1 loads the drum 30 + 10 × quantity minutes.
// Policy: production buffer 2, shipping buffer 2, standard lead time 2 working days.
// A promise for Wednesday 2026-11-25 has its drum deadline at the end of Monday.
// PB 2, not seedPlant's 4: the floor is the effective lead time max(LT, PB) (issue 12 item 8),
// and these tests need Wednesday at the floor to measure the drum's capacity before Monday night.
const POLICY = { productionBufferDays: 2, shippingBufferDays: 2, standardLeadTimeDays: 2 };
const NOW = '2026-11-23T08:00:00Z';

// The same behaviour on the embedded database and on PostgreSQL (when one is configured).
describe.each(realPostgresAvailable() ? (['pglite', 'postgres'] as const) : (['pglite'] as const))('on %s', (kind) => {
  let t: TestApp;
  // Every test gets a plant of its own and the clock at NOW, so the tests run in any order.
  let P = '';
  let plants = 0;

  beforeAll(async () => {
    t = await buildTestApp({ now: NOW, kind });
  });
  beforeEach(async () => {
    t.clock.set(NOW);
    const id = `plant-${++plants}`;
    await seedPlant(t, id, POLICY);
    P = `/v1/plants/${id}`;
  });
  afterAll(async () => t.close());

  type Role = 'admin' | 'planner' | 'sales' | 'erp';
  const call = (
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    url: string,
    role: Role,
    payload?: unknown,
    headers: Record<string, string> = {},
  ) =>
    t.app.inject({ method, url, headers: { ...t.as(role), ...headers }, ...(payload === undefined ? {} : { payload: payload as object }) });
  const version = async () => (await call('GET', P, 'planner')).json().scheduleVersion as number;
  const events = async () =>
    (await call('GET', `${P}/events?limit=1000`, 'planner')).json().items as {
      seq: number;
      type: string;
      scheduleVersion: number;
      data: any;
    }[];

  describe('promising an order', () => {
    it('quotes the lead-time floor when capacity is free, without touching the schedule', async () => {
      const before = await version();
      const res = await call('POST', `${P}/quotes`, 'sales', { sku: 'P1', quantity: 1 });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ earliestPromiseDate: '2026-11-25', drumLoadMinutes: 40, scheduleVersion: before });
      expect(await version()).toBe(before);
    });

    it('holds exactly the capacity there is: three holds of 230 minutes fit before Monday night, the fourth is refused with its price', async () => {
      const hold = () => call('POST', `${P}/holds`, 'sales', { sku: 'P1', quantity: 20, promiseDate: '2026-11-25', customer: 'ACME' });
      const ok = [await hold(), await hold(), await hold()];
      for (const r of ok) {
        expect(r.statusCode).toBe(201);
        expect(r.json()).toMatchObject({ status: 'held', promiseDate: '2026-11-25' });
      }
      const refused = await hold();
      expect(refused.statusCode).toBe(409);
      expect(refused.headers['content-type']).toContain('application/problem+json');
      const body = refused.json();
      expect(body.type).toBe('https://drumbeat.dev/problems/schedule-infeasible');
      expect(body.earliestPromiseDate).toBe('2026-11-26');
      expect(body.capacityNeeded).toMatchObject({ minutes: 4 * 230 - 780, neededByDate: '2026-11-23', bindingLimit: 'capacity' });

      const quote = await call('POST', `${P}/quotes`, 'sales', { sku: 'P1', quantity: 20, requestedDate: '2026-11-25' });
      expect(quote.json()).toMatchObject({
        earliestPromiseDate: '2026-11-26',
        requestedDateFeasible: false,
        capacityNeeded: { minutes: 140 },
      });
    });

    it('confirms a hold into an order that keeps its promise', async () => {
      const hold = await call('POST', `${P}/holds`, 'sales', { sku: 'P1', quantity: 2 });
      const id = hold.json().id;
      const v = await version();
      const res = await call('POST', `${P}/holds/${id}/confirm`, 'sales', { customer: 'Beta AG', externalId: 'SO-1' });
      expect(res.statusCode).toBe(201);
      expect(res.json()).toMatchObject({
        id,
        status: 'confirmed',
        promiseDate: hold.json().promiseDate,
        customer: 'Beta AG',
        externalId: 'SO-1',
        expiresAt: null,
      });
      expect(res.json().scheduleVersion).toBe(v + 1);
    });

    it('expires a hold at its TTL without the sweep: capacity returns and confirming it is a 409 with the current date', async () => {
      const hold = await call('POST', `${P}/holds`, 'sales', { sku: 'P1', quantity: 1, ttlSeconds: 60 });
      const id = hold.json().id;
      t.clock.advance(61_000);
      const schedule = await call('GET', `${P}/schedule`, 'planner');
      expect(schedule.json().orders.map((o: { id: string }) => o.id)).not.toContain(id);
      const confirm = await call('POST', `${P}/holds/${id}/confirm`, 'sales', {});
      expect(confirm.statusCode).toBe(409);
      expect(confirm.json().earliestPromiseDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect((await call('GET', `${P}/orders/${id}`, 'sales')).json().status).toBe('expired');
      expect((await events()).filter((e) => e.type === 'hold.expired').map((e) => e.data)).toEqual([
        expect.objectContaining({ promiseDate: hold.json().promiseDate }),
      ]);
    });

    it('releasing a hold returns its capacity', async () => {
      const q1 = (await call('POST', `${P}/quotes`, 'sales', { sku: 'P1', quantity: 50 })).json().earliestPromiseDate;
      const hold = await call('POST', `${P}/holds`, 'sales', { sku: 'P1', quantity: 50 });
      const q2 = (await call('POST', `${P}/quotes`, 'sales', { sku: 'P1', quantity: 50 })).json().earliestPromiseDate;
      expect(q2 >= q1).toBe(true);
      expect((await call('DELETE', `${P}/holds/${hold.json().id}`, 'sales')).statusCode).toBe(204);
      expect((await call('POST', `${P}/quotes`, 'sales', { sku: 'P1', quantity: 50 })).json().earliestPromiseDate).toBe(q1);
    });

    it('creates a confirmed order in one step, or refuses with the honest alternative and writes nothing', async () => {
      const v = await version();
      const refused = await call('POST', `${P}/orders`, 'sales', {
        sku: 'P1',
        quantity: 200,
        promiseDate: '2026-11-25',
        customer: 'Gamma',
      });
      expect(refused.statusCode).toBe(409);
      expect(await version()).toBe(v);
      const ok = await call('POST', `${P}/orders`, 'sales', {
        sku: 'P1',
        quantity: 200,
        promiseDate: refused.json().earliestPromiseDate,
        customer: 'Gamma',
      });
      expect(ok.statusCode).toBe(201);
      expect(ok.json()).toMatchObject({ status: 'confirmed', promiseDate: refused.json().earliestPromiseDate });
    });

    it('cancels an order: capacity returns and an event says so', async () => {
      const order = await call('POST', `${P}/orders`, 'planner', { sku: 'P1', quantity: 5, promiseDate: '2026-12-10', customer: 'Delta' });
      const res = await call('POST', `${P}/orders/${order.json().id}/cancel`, 'planner', { reason: 'customer withdrew' });
      expect(res.statusCode).toBe(200);
      expect(res.json().status).toBe('cancelled');
      expect((await events()).at(-1)).toMatchObject({
        type: 'order.cancelled',
        data: expect.objectContaining({ reason: 'customer withdrew' }),
      });
      expect((await call('POST', `${P}/orders/${order.json().id}/cancel`, 'planner', {})).statusCode).toBe(409);
    });
  });

  describe('ERP push by external id', () => {
    it('is idempotent: the same body again is a 200 with no new schedule version', async () => {
      const body = { sku: 'P1', quantity: 3, promiseDate: '2026-12-15', customer: 'ERP Kunde' };
      const first = await call('PUT', `${P}/orders/by-external-id/ERP-1`, 'erp', body);
      expect(first.statusCode).toBe(201);
      const v = await version();
      const again = await call('PUT', `${P}/orders/by-external-id/ERP-1`, 'erp', body);
      expect(again.statusCode).toBe(200);
      expect(again.json().id).toBe(first.json().id);
      expect(await version()).toBe(v);
    });

    it('reschedules a changed quantity, and refuses an infeasible change leaving the order as it was', async () => {
      // Monday is full (780 minutes), so moving the order to Wednesday cannot be kept.
      const full = { sku: 'P1', quantity: 75, promiseDate: '2026-11-25', customer: 'Full' };
      expect((await call('POST', `${P}/orders`, 'sales', full)).statusCode).toBe(201);
      const first = await call('PUT', `${P}/orders/by-external-id/ERP-2`, 'erp', {
        sku: 'P1',
        quantity: 3,
        promiseDate: '2026-12-15',
        customer: 'K',
      });
      const changed = await call('PUT', `${P}/orders/by-external-id/ERP-2`, 'erp', {
        sku: 'P1',
        quantity: 4,
        promiseDate: '2026-12-15',
        customer: 'K',
      });
      expect(changed.statusCode).toBe(200);
      expect(changed.json()).toMatchObject({ id: first.json().id, quantity: 4, drumLoadMinutes: 70 });
      const tooMuch = await call('PUT', `${P}/orders/by-external-id/ERP-2`, 'erp', {
        sku: 'P1',
        quantity: 4,
        promiseDate: '2026-11-25',
        customer: 'K',
      });
      expect(tooMuch.statusCode).toBe(409);
      expect(tooMuch.json().earliestPromiseDate).toBeDefined();
      expect((await call('GET', `${P}/orders/${first.json().id}`, 'erp')).json()).toMatchObject({ quantity: 4, promiseDate: '2026-12-15' });
      const updated = (await events()).filter((e) => e.type === 'order.updated').at(-1);
      expect(updated?.data).toMatchObject({ before: { quantity: 3 }, after: { quantity: 4 } });
    });
  });

  describe('idempotency keys on creating POSTs', () => {
    it('returns the stored response for a retry and never duplicates; another body with the same key is a 422', async () => {
      const body = { sku: 'P1', quantity: 1, promiseDate: '2026-12-20', customer: 'Retry GmbH' };
      const headers = { 'idempotency-key': 'abc-123' };
      const a = await call('POST', `${P}/orders`, 'sales', body, headers);
      const b = await call('POST', `${P}/orders`, 'sales', body, headers);
      expect(a.statusCode).toBe(201);
      expect(b.statusCode).toBe(201);
      expect(b.json().id).toBe(a.json().id);
      expect(b.headers['idempotent-replayed']).toBe('true');
      const list = await call('GET', `${P}/orders?customer=Retry%20GmbH`, 'sales');
      expect(list.json().items).toHaveLength(1);
      const other = await call('POST', `${P}/orders`, 'sales', { ...body, quantity: 2 }, headers);
      expect(other.statusCode).toBe(422);
    });
  });

  describe('bad input is a clear 4xx and changes nothing', () => {
    it.each([
      ['an unknown sku', { sku: 'NOPE', quantity: 1 }, 400, 'body.sku'],
      ['a zero quantity', { sku: 'P1', quantity: 0 }, 400, 'body.quantity'],
      ['an absurd quantity', { sku: 'P1', quantity: 10_000_000 }, 400, 'body.quantity'],
      ['a fractional quantity', { sku: 'P1', quantity: 1.5 }, 400, 'body.quantity'],
      ['a date in the past', { sku: 'P1', quantity: 1, promiseDate: '2026-11-20' }, 400, 'body.promiseDate'],
      ['an impossible date', { sku: 'P1', quantity: 1, promiseDate: '2026-02-30' }, 400, 'body.promiseDate'],
    ])('a hold with %s', async (_name, payload, status, field) => {
      const v = await version();
      const res = await call('POST', `${P}/holds`, 'sales', payload);
      expect(res.statusCode).toBe(status);
      expect(res.json().errors.map((e: { field: string }) => e.field)).toContain(field);
      expect(await version()).toBe(v);
    });

    it('an unknown plant is a 404, an erp key may not hold, a sales key may not read the schedule', async () => {
      expect((await call('POST', '/v1/plants/nowhere/quotes', 'sales', { sku: 'P1', quantity: 1 })).statusCode).toBe(404);
      expect((await call('POST', `${P}/holds`, 'erp', { sku: 'P1', quantity: 1 })).statusCode).toBe(403);
      expect((await call('GET', `${P}/schedule`, 'sales')).statusCode).toBe(403);
    });
  });

  describe('the schedule and the event feed', () => {
    const someOrders = async (n: number) => {
      for (let i = 0; i < n; i++) {
        const res = await call('POST', `${P}/orders`, 'sales', {
          sku: 'P1',
          quantity: 5 + i,
          promiseDate: '2026-12-10',
          customer: `C${i}`,
        });
        expect(res.statusCode).toBe(201);
      }
    };

    it('lists a feasible drum sequence with an ETag equal to the version', async () => {
      await someOrders(3);
      const res = await call('GET', `${P}/schedule`, 'erp');
      expect(res.statusCode).toBe(200);
      const s = res.json();
      expect(res.headers.etag).toBe(`"${s.scheduleVersion}"`);
      expect(s.feasible).toBe(true);
      expect(s.orders.length).toBeGreaterThan(0);
      for (const o of s.orders) expect(o.plannedFinish <= o.drumDeadline).toBe(true);
      const notModified = await call('GET', `${P}/schedule`, 'erp', undefined, { 'if-none-match': res.headers.etag as string });
      expect(notModified.statusCode).toBe(304);
      // A 304 has no body and says nothing about one (a validating proxy refused `content-length: 4`).
      expect(notModified.body).toBe('');
      expect(notModified.headers['content-type']).toBeUndefined();
      expect(notModified.headers.etag).toBe(res.headers.etag);
    });

    it('is gap-free and ordered, one version per schedule change', async () => {
      await someOrders(4);
      const all = await events();
      expect(all.map((e) => e.seq)).toEqual(all.map((_, i) => i + 1));
      const versions = all.map((e) => e.scheduleVersion);
      expect(versions).toEqual([...versions].sort((a, b) => a - b));
      expect(Math.max(...versions)).toBe(await version());
      const page = (await call('GET', `${P}/events?after=2&limit=2`, 'erp')).json();
      expect(page.items.map((e: { seq: number }) => e.seq)).toEqual([3, 4]);
    });
  });
});
