import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { seedPlant } from '../helpers/builders.ts';
import { realPostgresAvailable } from '../helpers/db.ts';

// The answer to a request with an Idempotency-Key is stored in the same transaction as its
// schedule write: no "in progress" key can outlive a failed write, twins never both execute,
// and refusals replay like successes.
describe.each(realPostgresAvailable() ? (['postgres', 'pglite'] as const) : (['pglite'] as const))('idempotency keys on %s', (kind) => {
  let t: TestApp;
  let failNextCommit = false;
  let n = 0;
  beforeAll(async () => {
    t = await buildTestApp({ kind, now: '2026-11-23T08:00:00Z' });
    await seedPlant(t);
    t.writer.afterAppend(async () => {
      if (!failNextCommit) return;
      failNextCommit = false;
      throw new Error('injected: the connection dropped before the commit');
    });
  });
  afterAll(async () => t.close());

  const order = (key: string, payload: object) =>
    t.app.inject({
      method: 'POST',
      url: '/v1/plants/plant-1/orders',
      headers: { ...t.as('sales'), 'idempotency-key': key },
      payload,
    });
  const ordersOf = async (customer: string) =>
    (await t.db.db.selectFrom('orders').select('id').where('customer', '=', customer).execute()).length;
  const aBody = () => ({ sku: 'P1', quantity: 1, promiseDate: '2026-12-20', customer: `idem-${++n}` });

  it('leaves no key behind when the write fails: the retry runs it, once', async () => {
    const body = aBody();
    failNextCommit = true;
    const failed = await order('k-crash', body);
    expect(failed.statusCode).toBe(500);
    expect(await ordersOf(body.customer)).toBe(0);
    const retry = await order('k-crash', body);
    expect(retry.statusCode).toBe(201);
    const again = await order('k-crash', body);
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json().id).toBe(retry.json().id);
    expect(await ordersOf(body.customer)).toBe(1);
  });

  it('replays a refusal: the retry of a refused request gets the same problem', async () => {
    const body = { ...aBody(), quantity: 500, promiseDate: '2026-11-25' };
    const refused = await order('k-refused', body);
    expect(refused.statusCode).toBe(409);
    const replay = await order('k-refused', body);
    expect(replay.statusCode).toBe(409);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    // The same problem, naming the request it answers (its X-Request-Id), not the first one.
    expect({ ...replay.json(), requestId: 'x' }).toEqual({ ...refused.json(), requestId: 'x' });
    expect(replay.json().requestId).toBe(replay.headers['x-request-id']);
    expect(replay.json().requestId).not.toBe(refused.json().requestId);
  });

  it('executes two concurrent twins once: one is created, the other is told to retry and then gets the same order', async () => {
    const body = aBody();
    const release = t.writer.hold('plant-1');
    const first = order('k-twin', body);
    while (t.writer.queued('plant-1') < 1) await new Promise((r) => setTimeout(r, 2));
    const second = order('k-twin', body);
    while (t.writer.queued('plant-1') < 2) await new Promise((r) => setTimeout(r, 2));
    release();
    const [a, b] = await Promise.all([first, second]);
    expect(a.statusCode).toBe(201);
    expect(b.statusCode).toBe(409);
    expect(await ordersOf(body.customer)).toBe(1);
    const retry = await order('k-twin', body);
    expect(retry.statusCode).toBe(201);
    expect(retry.json().id).toBe(a.json().id);
  });
});
