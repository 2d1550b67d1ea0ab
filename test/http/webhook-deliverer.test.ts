import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { seedPlant } from '../helpers/builders.ts';
import { databaseKinds } from '../helpers/planning.ts';
import { startReceiver } from '../helpers/webhook-receiver.ts';

// The background deliverer as the server runs it (poll, woken by change notifications), on
// both databases; PGlite is one process with one connection, and delivery still works there.
describe.each(databaseKinds())('the background webhook deliverer on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ kind, build: { webhooks: { allowHosts: ['127.0.0.1'], pollMs: 50, timeoutMs: 5_000, leaseMs: 30_000 } } });
    await seedPlant(t, 'bg');
  });
  afterAll(async () => t?.close());

  const hold = async () =>
    expect(
      (await t.app.inject({ method: 'POST', url: '/v1/plants/bg/holds', headers: t.as('sales'), payload: { sku: 'P1', quantity: 1 } }))
        .statusCode,
    ).toBe(201);

  it('delivers without being asked, and closing the app stops it with a send in flight left for the next run', async () => {
    let unblock = () => {};
    const blocked = new Promise<number>((resolve) => (unblock = () => resolve(200)));
    const rx = await startReceiver((_r, n) => (n === 3 ? blocked : 200));
    try {
      const sub = await t.app.inject({
        method: 'POST',
        url: '/v1/plants/bg/webhooks',
        headers: t.as('erp'),
        payload: { url: rx.url, eventTypes: ['hold.created'] },
      });
      expect(sub.statusCode).toBe(201);
      for (let i = 0; i < 4; i++) await hold();
      await vi.waitFor(() => expect(rx.received).toHaveLength(3), { timeout: 10_000, interval: 20 });
      const cursorBefore = rx.received[1]!.seq;
      // close() returns although the receiver never answers: the send is aborted, not waited for.
      await t.app.close();
      const rows = await t.db.db.selectFrom('webhook_subscriptions').select(['cursor_seq', 'failures', 'lease_token']).execute();
      expect(rows).toEqual([{ cursor_seq: cursorBefore, failures: 0, lease_token: null }]);
    } finally {
      unblock();
      await rx.close();
    }
  });
});
