import { describe, expect, it } from 'vitest';
import { databaseKinds, plantPerTest } from '../helpers/planning.ts';

// Monday 2026-11-23 09:00 Berlin; the drum works 06:00–22:00 Mon–Fri; PB 4, SB 2, lead time 2.
describe.each(databaseKinds())('the floor role on %s', (kind) => {
  const ctx = plantPerTest(kind, 'floor-role', { productionBufferDays: 4, shippingBufferDays: 2, standardLeadTimeDays: 2 });

  it('releases, reports progress per operation, completes and ships an order through the web session', async () => {
    const { c, t } = ctx;
    // Promised Friday: its rope (PB 4 working days before) is today, so it is due for release now.
    const order = await c.order({ quantity: 2, promiseDate: '2026-11-27', sku: 'SAWN' });
    const session = await t.app.inject({ method: 'POST', url: '/app/session', payload: { apiKey: t.keys.floor } });
    const cookie = String(session.headers['set-cookie']).split(';')[0]!;
    const headers = { cookie, 'x-csrf-token': session.json().csrfToken as string };
    const act = (method: 'GET' | 'POST', path: string, payload?: object) =>
      t.app.inject({ method, url: `${c.P}/${path}`, headers, ...(payload ? { payload } : {}) });

    const list = await act('GET', 'release-list');
    expect(list.statusCode).toBe(200);
    expect(list.json().items.map((i: { orderId: string }) => i.orderId)).toEqual([order.id]);
    const released = await act('POST', `orders/${order.id}/release`, {});
    expect(released.statusCode, released.body).toBe(200);
    expect(released.json().status).toBe('released');
    expect((await act('GET', 'buffer-board')).json().items.map((i: { orderId: string }) => i.orderId)).toEqual([order.id]);

    const plan = (await act('GET', `orders/${order.id}/plan`)).json();
    for (const op of plan.operations as { position: number }[]) {
      const done = await act('POST', `orders/${order.id}/operations/${op.position}/progress`, { status: 'completed' });
      expect(done.statusCode, done.body).toBe(200);
    }
    const completed = await act('POST', `orders/${order.id}/complete`, {});
    expect(completed.statusCode, completed.body).toBe(200);
    expect(completed.json().status).toBe('completed');
    const shipped = await act('POST', `orders/${order.id}/ship`, {});
    expect(shipped.statusCode, shipped.body).toBe(200);
    expect(shipped.json().status).toBe('shipped');
    const events = await c.events();
    // Every floor fact is recorded with the floor key as its actor.
    const shippedEvent = events.find((e) => e.orderId === order.id && e.type === 'order.shipped') as unknown as { actor: string };
    expect(shippedEvent.actor).toMatch(/^floor:/);
  });

  it('is a role an admin can give a key', async () => {
    const { t } = ctx;
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: t.as('admin'),
      payload: { name: 'Line 1 lead', role: 'floor' },
    });
    expect(res.statusCode, res.body).toBe(201);
    const key = res.json().key as string;
    const who = await t.app.inject({ method: 'POST', url: '/app/session', payload: { apiKey: key } });
    expect(who.json()).toMatchObject({ role: 'floor', name: 'Line 1 lead' });
  });

  it('may read what the floor works from, and nothing a planner, salesperson or admin decides', async () => {
    const { c } = ctx;
    const order = await c.order({ quantity: 1, promiseDate: '2026-12-11' });
    for (const path of [
      '',
      'products',
      'release-list',
      'buffer-board',
      'at-risk',
      `orders/${order.id}`,
      `orders/${order.id}/plan`,
      'timeline',
    ]) {
      expect((await c.call('GET', path === '' ? c.P : path, 'floor')).statusCode, path).toBe(200);
    }
    for (const [method, path, payload] of [
      ['GET', 'schedule', undefined],
      ['GET', 'events', undefined],
      ['GET', 'load?from=2026-11-23&to=2026-11-30', undefined],
      ['GET', 'orders', undefined],
      ['GET', 'resources', undefined],
      ['POST', 'quotes', { sku: 'P1', quantity: 1 }],
      ['POST', 'holds', { sku: 'P1', quantity: 1 }],
      ['POST', `orders/${order.id}/repromise`, { promiseDate: '2026-12-18', reason: 'x' }],
      ['POST', `orders/${order.id}/cancel`, {}],
      ['PUT', 'buffer-policy', { productionBufferDays: 5 }],
    ] as const) {
      const res = await c.call(method, path, 'floor', payload);
      expect(res.statusCode, `${method} ${path}`).toBe(403);
    }
  });
});
