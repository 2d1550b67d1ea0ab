import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { seedPlant } from '../helpers/builders.ts';
import { realPostgresAvailable } from '../helpers/db.ts';

type Headers = { authorization: string };

// Holds, orders and Idempotency-Key answers belong to the person behind a key, not the key:
// rotating a key keeps access and replays, a colleague reaches them only after a planner's hand-over.
describe.each(realPostgresAvailable() ? (['postgres', 'pglite'] as const) : (['pglite'] as const))(
  'ownership by principal on %s',
  (kind) => {
    let t: TestApp;
    let plants = 0;
    let base = '';

    beforeAll(async () => {
      t = await buildTestApp({ kind, now: '2026-11-23T08:00:00Z' });
    });
    afterAll(async () => t.close());

    const newPlant = async () => {
      const id = `own-${++plants}`;
      await seedPlant(t, id);
      base = `/v1/plants/${id}`;
      return id;
    };
    const newKey = async (principal: string | undefined, role = 'sales') => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/api-keys',
        headers: t.as('admin'),
        payload: { name: `${principal ?? 'anonymous'} ${role}`, role, ...(principal ? { principal } : {}) },
      });
      expect(res.statusCode).toBe(201);
      return {
        id: res.json().id as string,
        principal: res.json().principal as string,
        headers: { authorization: `Bearer ${res.json().key}` },
      };
    };
    const revoke = async (id: string) =>
      expect((await t.app.inject({ method: 'DELETE', url: `/v1/api-keys/${id}`, headers: t.as('admin') })).statusCode).toBe(204);
    const get = (headers: Headers, id: string) => t.app.inject({ method: 'GET', url: `${base}/orders/${id}`, headers });
    const listIds = async (headers: Headers, query = '') =>
      (await t.app.inject({ method: 'GET', url: `${base}/orders${query}`, headers })).json().items.map((o: { id: string }) => o.id);
    const createOrder = (headers: Headers, body: object, idempotencyKey?: string) =>
      t.app.inject({
        method: 'POST',
        url: `${base}/orders`,
        headers: { ...headers, ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}) },
        payload: { sku: 'P1', quantity: 1, promiseDate: '2026-12-20', customer: 'ACME GmbH', ...body },
      });
    const handOver = (payload: object, headers: Headers = t.as('planner')) =>
      t.app.inject({ method: 'POST', url: `${base}/hand-overs`, headers, payload });

    it('shows each key with its principal; a key created without one is a principal of its own (its id)', async () => {
      const anna = await newKey('anna.berg');
      const loner = await newKey(undefined);
      expect(loner.principal).toBe(loner.id);
      const items = (await t.app.inject({ method: 'GET', url: '/v1/api-keys', headers: t.as('admin') })).json().items as {
        id: string;
        principal: string;
      }[];
      expect(items.find((k) => k.id === anna.id)?.principal).toBe('anna.berg');
      expect(items.find((k) => k.id === loner.id)?.principal).toBe(loner.id);
      const bad = await t.app.inject({
        method: 'POST',
        url: '/v1/api-keys',
        headers: t.as('admin'),
        payload: { name: 'x', role: 'sales', principal: 'has space' },
      });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().errors[0].field).toBe('body.principal');
    });

    it('keeps access to own holds and orders across a key rotation, and replays an Idempotency-Key retry without a duplicate', async () => {
      await newPlant();
      const old = await newKey('rita.rotation');
      const hold = await t.app.inject({ method: 'POST', url: `${base}/holds`, headers: old.headers, payload: { sku: 'P1', quantity: 2 } });
      expect(hold.statusCode).toBe(201);
      const first = await createOrder(old.headers, { customer: 'Rotated AG' }, 'rot-1');
      expect(first.statusCode).toBe(201);
      expect(first.json().owner).toBe('rita.rotation');

      // Rotation: a new key for the same person, then the old one revoked.
      const fresh = await newKey('rita.rotation');
      await revoke(old.id);
      expect((await get(old.headers, first.json().id)).statusCode).toBe(401);

      expect((await get(fresh.headers, hold.json().id)).json().status).toBe('held');
      expect((await get(fresh.headers, first.json().id)).statusCode).toBe(200);
      expect((await listIds(fresh.headers)).sort()).toEqual([hold.json().id, first.json().id].sort());
      const confirmed = await t.app.inject({
        method: 'POST',
        url: `${base}/holds/${hold.json().id}/confirm`,
        headers: fresh.headers,
        payload: {},
      });
      expect(confirmed.statusCode).toBe(201);

      const retry = await createOrder(fresh.headers, { customer: 'Rotated AG' }, 'rot-1');
      expect(retry.statusCode).toBe(201);
      expect(retry.headers['idempotent-replayed']).toBe('true');
      expect(retry.json().id).toBe(first.json().id);
      const rows = await t.db.db.selectFrom('orders').select('id').where('customer', '=', 'Rotated AG').execute();
      expect(rows).toHaveLength(1);

      // Another person's same Idempotency-Key is a different request altogether.
      const other = await newKey('otto.other');
      const theirs = await createOrder(other.headers, { customer: 'Rotated AG' }, 'rot-1');
      expect(theirs.statusCode).toBe(201);
      expect(theirs.headers['idempotent-replayed']).toBeUndefined();
      expect(theirs.json().id).not.toBe(first.json().id);
    });

    it('lets a colleague reach an order only after a planner hands it over, recorded as an event', async () => {
      await newPlant();
      const anna = await newKey('anna.hand');
      const bob = await newKey('bob.hand');
      const order = await createOrder(anna.headers, { customerId: 'C-7' });
      expect(order.json().customerId).toBe('C-7');
      const id = order.json().id as string;

      expect((await get(bob.headers, id)).statusCode).toBe(404);
      expect(
        (await t.app.inject({ method: 'POST', url: `${base}/orders/${id}/cancel`, headers: bob.headers, payload: {} })).statusCode,
      ).toBe(404);
      expect((await handOver({ to: 'bob.hand', orderId: id }, anna.headers)).statusCode).toBe(403);

      const moved = await handOver({ to: 'bob.hand', orderId: id, reason: 'Anna on leave' });
      expect(moved.statusCode).toBe(200);
      expect(moved.json().orders).toEqual([{ orderId: id, from: 'anna.hand' }]);

      expect((await get(bob.headers, id)).json().owner).toBe('bob.hand');
      expect(await listIds(bob.headers)).toEqual([id]);
      expect((await get(anna.headers, id)).statusCode).toBe(404);
      expect(await listIds(anna.headers)).toEqual([]);

      const events = (await t.app.inject({ method: 'GET', url: `${base}/events`, headers: t.as('planner') })).json();
      const handed = events.items.filter((e: { type: string }) => e.type === 'orders.handed-over');
      expect(handed).toHaveLength(1); // one order moved
      expect(handed[0].actor).toMatch(/^planner:/);
      expect(handed[0].data).toEqual({
        to: 'bob.hand',
        customerId: null,
        reason: 'Anna on leave',
        orders: [{ orderId: id, from: 'anna.hand' }],
      });

      // Handing over again to the same owner moves nothing and writes nothing.
      const version = (await get(t.as('planner'), id)).json().scheduleVersion;
      const again = await handOver({ to: 'bob.hand', orderId: id });
      expect(again.json().orders).toEqual([]);
      expect((await get(t.as('planner'), id)).json().scheduleVersion).toBe(version);
    });

    it('hands over every order of a customer (by customerId) and nothing else', async () => {
      await newPlant();
      const sales = await newKey('sam.sales');
      const accounts = await newKey('key.accounts');
      const acme = [
        (await createOrder(sales.headers, { customer: 'ACME', customerId: 'C-1' })).json().id,
        (await createOrder(sales.headers, { customer: 'ACME (Werk 2)', customerId: 'C-1' })).json().id,
      ];
      const hold = await t.app.inject({
        method: 'POST',
        url: `${base}/holds`,
        headers: sales.headers,
        payload: { sku: 'P1', quantity: 1, customer: 'ACME', customerId: 'C-1' },
      });
      acme.push(hold.json().id);
      const other = (await createOrder(sales.headers, { customer: 'Globex', customerId: 'C-2' })).json().id;

      expect((await listIds(t.as('planner'), '?customerId=C-1')).sort()).toEqual([...acme].sort());
      const res = await handOver({ to: 'key.accounts', customerId: 'C-1', reason: 'ACME moves to key accounts' });
      expect(res.statusCode).toBe(200);
      expect(
        res
          .json()
          .orders.map((o: { orderId: string }) => o.orderId)
          .sort(),
      ).toEqual([...acme].sort());
      expect(res.json().orders.every((o: { from: string }) => o.from === 'sam.sales')).toBe(true);

      expect((await listIds(accounts.headers)).sort()).toEqual([...acme].sort());
      expect(await listIds(sales.headers)).toEqual([other]);
      // The new owner's own feed has the hand-over of each order.
      const feed = (
        await t.app.inject({ method: 'GET', url: `/v1/me/events?plant=${base.split('/').at(-1)}`, headers: accounts.headers })
      ).json();
      expect(
        feed.items
          .filter((e: { type: string }) => e.type === 'orders.handed-over')
          .map((e: { orderId: string }) => e.orderId)
          .sort(),
      ).toEqual([...acme].sort());
      const confirm = await t.app.inject({
        method: 'POST',
        url: `${base}/holds/${hold.json().id}/confirm`,
        headers: accounts.headers,
        payload: {},
      });
      expect(confirm.statusCode).toBe(201);
    });

    it('refuses a hand-over to nobody, of nothing, or of both at once, writing nothing', async () => {
      const plant = await newPlant();
      const sales = await newKey('vic.valid');
      const id = (await createOrder(sales.headers, { customerId: 'C-9' })).json().id;
      const gone = await newKey('gone.person');
      await revoke(gone.id);
      const elsewhere = await t.app.inject({
        method: 'POST',
        url: '/v1/api-keys',
        headers: t.as('admin'),
        payload: { name: 'elsewhere', role: 'sales', principal: 'else.where', plants: ['some-other-plant'] },
      });
      expect(elsewhere.statusCode).toBe(201);
      const before = (await get(t.as('planner'), id)).json().scheduleVersion;

      const noKey = await handOver({ to: 'gone.person', orderId: id });
      expect(noKey.statusCode).toBe(400);
      expect(noKey.json().errors[0].field).toBe('body.to');
      expect((await handOver({ to: 'else.where', orderId: id })).json().errors[0].field).toBe('body.to');
      const both = await handOver({ to: 'vic.valid', orderId: id, customerId: 'C-9' });
      expect(both.statusCode).toBe(400);
      const neither = await handOver({ to: 'vic.valid' });
      expect(neither.statusCode).toBe(400);
      const unknownCustomer = await handOver({ to: 'vic.valid', customerId: 'C-404' });
      expect(unknownCustomer.statusCode).toBe(404);
      expect(unknownCustomer.json().detail).toContain(`plant "${plant}"`);

      expect((await get(t.as('planner'), id)).json()).toMatchObject({ owner: 'vic.valid', scheduleVersion: before });
    });

    it('keeps an ERP push customerId on the order, idempotent when unchanged', async () => {
      await newPlant();
      const push = (body: object) =>
        t.app.inject({
          method: 'PUT',
          url: `${base}/orders/by-external-id/SO-1`,
          headers: t.as('erp'),
          payload: { sku: 'P1', quantity: 1, promiseDate: '2026-12-20', customer: 'ACME', ...body },
        });
      const created = await push({ customerId: 'C-100' });
      expect(created.statusCode).toBe(201);
      expect(created.json().customerId).toBe('C-100');
      const same = await push({ customerId: 'C-100' });
      expect(same.statusCode).toBe(200);
      expect(same.json().scheduleVersion).toBe(created.json().scheduleVersion);
      const moved = await push({ customerId: 'C-200' });
      expect(moved.json().customerId).toBe('C-200');
      expect(moved.json().scheduleVersion).toBeGreaterThan(created.json().scheduleVersion);
    });
  },
);
