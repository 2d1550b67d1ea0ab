import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { Metrics } from '../../src/http/metrics/metrics.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { seedPlant } from '../helpers/builders.ts';
import { databaseKinds } from '../helpers/planning.ts';
import { startReceiver } from '../helpers/webhook-receiver.ts';

// Issue 16 item 3: signed webhooks from the event log. The deliverer runs when the test calls
// runOnce (no background poll), and retries wait on the app's fixed clock, so every attempt is
// counted, never timed.
describe.each(databaseKinds())('webhook subscriptions on %s', (kind) => {
  let t: TestApp;
  let n = 0;
  let P = '';
  const MAX_FAILURES = 3;
  const metrics = new Metrics({ defaultMetrics: false });

  beforeAll(async () => {
    t = await buildTestApp({
      kind,
      build: {
        metrics,
        webhooks: {
          secretKey: randomBytes(32),
          allowHosts: ['127.0.0.1'],
          maxFailures: MAX_FAILURES,
          retryBaseMs: 60_000,
          retryMaxMs: 600_000,
          timeoutMs: 5_000,
          leaseMs: 30_000,
        },
      },
    });
  });
  afterAll(async () => t?.close());
  beforeEach(async () => {
    P = `wh-${kind}-${++n}`;
    await seedPlant(t, P);
  });

  const call = (
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    role: 'admin' | 'erp' | 'sales' | 'planner' = 'erp',
    payload?: object,
    headers = {},
  ) => t.app.inject({ method, url: `/v1/plants/${P}${url}`, headers: { ...t.as(role), ...headers }, ...(payload ? { payload } : {}) });
  const subscribe = async (url: string, eventTypes = ['hold.created', 'order.confirmed'], extra: object = {}) => {
    const res = await call('POST', '/webhooks', 'erp', { url, eventTypes, ...extra });
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { id: string; secret: string; cursor: number };
  };
  const hold = async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: `/v1/plants/${P}/holds`,
      headers: t.as('sales'),
      payload: { sku: 'P1', quantity: 1 },
    });
    expect(res.statusCode, res.body).toBe(201);
  };
  const lastSeq = async () => (await call('GET', '/events?after=0&limit=1000')).json().lastSeq as number;
  const subscribedSeqs = async (after: number, types = ['hold.created', 'order.confirmed']) =>
    ((await call('GET', `/events?after=${after}&limit=1000`)).json().items as { seq: number; type: string }[])
      .filter((e) => types.includes(e.type))
      .map((e) => e.seq);
  const run = () => t.app.webhookDeliverer.runOnce();
  const advance = (ms: number) => t.clock.set(new Date(t.clock.now().getTime() + ms).toISOString());

  it('delivers subscribed events in sequence order, each signed so the Standard Webhooks verifier accepts it', async () => {
    const rx = await startReceiver();
    try {
      const sub = await subscribe(rx.url);
      expect(sub.secret).toMatch(/^whsec_/);
      const first = (await lastSeq()) + 1;
      for (let i = 0; i < 5; i++) await hold();
      // A type it did not subscribe to is skipped, not sent.
      await call('PUT', '/buffer-policy', 'admin', { productionBufferDays: 4, shippingBufferDays: 3, standardLeadTimeDays: 2 });
      await hold();
      expect(await run()).toBe(6);

      expect(rx.received.map((r) => r.type)).toEqual(Array(6).fill('hold.created'));
      const seqs = rx.received.map((r) => r.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(seqs[0]).toBe(first);
      const verifier = new Webhook(sub.secret);
      for (const r of rx.received) {
        expect(r.id).toBe(`evt_${P}_${r.seq}`);
        const payload = verifier.verify(r.body, r.headers as Record<string, string>) as { data: { plant: string; seq: number } };
        expect(payload.data).toMatchObject({ plant: P, seq: r.seq });
      }
      // A wrong secret does not verify.
      expect(() =>
        new Webhook(`whsec_${randomBytes(32).toString('base64')}`).verify(
          rx.received[0]!.body,
          rx.received[0]!.headers as Record<string, string>,
        ),
      ).toThrow();
      const view = (await call('GET', `/webhooks/${sub.id}`)).json();
      expect(view.cursor).toBe(await lastSeq());
      expect(view).not.toHaveProperty('secret');
      expect(await run()).toBe(0);
      expect(rx.received).toHaveLength(6);
    } finally {
      await rx.close();
    }
  });

  it('retries a failing receiver with backoff and then delivers the event again under the same webhook-id', async () => {
    const rx = await startReceiver((_r, count) => (count <= 2 ? 500 : 204));
    try {
      const sub = await subscribe(rx.url);
      await hold();
      await hold();
      expect(await run()).toBe(0);
      expect(rx.received).toHaveLength(1);
      // Not due before the backoff has passed: another run sends nothing.
      expect(await run()).toBe(0);
      expect(rx.received).toHaveLength(1);
      let view = (await call('GET', `/webhooks/${sub.id}`)).json();
      expect(view).toMatchObject({ status: 'active', consecutiveFailures: 1, lastError: 'HTTP 500' });
      const wait = Date.parse(view.nextAttemptAt) - t.clock.now().getTime();
      // Equal jitter: between half and all of the base delay.
      expect(wait).toBeGreaterThanOrEqual(30_000);
      expect(wait).toBeLessThanOrEqual(60_000);
      advance(wait);
      expect(await run()).toBe(0);
      view = (await call('GET', `/webhooks/${sub.id}`)).json();
      const wait2 = Date.parse(view.nextAttemptAt) - t.clock.now().getTime();
      expect(wait2).toBeGreaterThanOrEqual(60_000);
      expect(wait2).toBeLessThanOrEqual(120_000);
      advance(wait2);
      expect(await run()).toBe(2);
      const firstSeq = rx.received[0]!.seq;
      expect(rx.received.map((r) => r.seq)).toEqual([firstSeq, firstSeq, firstSeq, firstSeq + 1]);
      expect(new Set(rx.received.slice(0, 3).map((r) => r.id)).size).toBe(1);
      expect(rx.firstArrivals()).toEqual([firstSeq, firstSeq + 1]);
      view = (await call('GET', `/webhooks/${sub.id}`)).json();
      expect(view).toMatchObject({ consecutiveFailures: 0, lastError: null });

      const log = (await call('GET', `/webhooks/${sub.id}/deliveries`)).json();
      expect(log.items.map((d: { attempt: number; succeeded: boolean; eventSeq: number }) => [d.eventSeq, d.attempt, d.succeeded])).toEqual(
        [
          [firstSeq + 1, 1, true],
          [firstSeq, 3, true],
          [firstSeq, 2, false],
          [firstSeq, 1, false],
        ],
      );
      expect(log.items[3]).toMatchObject({ statusCode: 500, eventId: `evt_${P}_${firstSeq}`, eventType: 'hold.created' });
    } finally {
      await rx.close();
    }
  });

  it('pauses after the configured consecutive failures, keeping the cursor; resume delivers the rest in order', async () => {
    const rx = await startReceiver(() => 503);
    try {
      const sub = await subscribe(rx.url);
      const cursor = sub.cursor;
      for (let i = 0; i < 4; i++) await hold();
      for (let i = 0; i < MAX_FAILURES; i++) {
        await run();
        advance(600_000);
      }
      expect(rx.received).toHaveLength(MAX_FAILURES);
      let view = (await call('GET', `/webhooks/${sub.id}`)).json();
      expect(view).toMatchObject({ status: 'paused', pausedReason: 'failures', cursor, consecutiveFailures: MAX_FAILURES });
      // Paused: nothing more is attempted, however long it waits.
      advance(600_000);
      expect(await run()).toBe(0);
      expect(rx.received).toHaveLength(MAX_FAILURES);

      await hold();
      rx.respondWith(() => 200);
      view = (await call('POST', `/webhooks/${sub.id}/resume`)).json();
      expect(view).toMatchObject({ status: 'active', pausedReason: null, consecutiveFailures: 0 });
      expect(await run()).toBe(5);
      // Time passed meanwhile (holds expired: events of other types), so compare with the feed.
      expect(rx.firstArrivals()).toEqual(await subscribedSeqs(cursor));
      expect(rx.firstArrivals().slice(0, 4)).toEqual([cursor + 1, cursor + 2, cursor + 3, cursor + 4]);
    } finally {
      await rx.close();
    }
  });

  it('replays from an event sequence, and pause stops deliveries until resumed', async () => {
    const rx = await startReceiver();
    try {
      const sub = await subscribe(rx.url);
      for (let i = 0; i < 3; i++) await hold();
      expect(await run()).toBe(3);
      const [a, b, c] = rx.received.map((r) => r.seq);
      expect((await call('POST', `/webhooks/${sub.id}/replay`, 'admin', { fromSeq: b! })).json().cursor).toBe(a);
      expect(await run()).toBe(2);
      expect(rx.received.map((r) => r.seq)).toEqual([a, b, c, b, c]);

      expect((await call('POST', `/webhooks/${sub.id}/pause`)).json()).toMatchObject({ status: 'paused', pausedReason: 'manual' });
      await hold();
      expect(await run()).toBe(0);
      await call('POST', `/webhooks/${sub.id}/resume`);
      expect(await run()).toBe(1);
      expect(rx.received.at(-1)!.seq).toBe(c! + 1);

      const beyond = await call('POST', `/webhooks/${sub.id}/replay`, 'erp', { fromSeq: (await lastSeq()) + 2 });
      expect(beyond.statusCode).toBe(400);
      expect(beyond.json().errors[0].field).toBe('body.fromSeq');
    } finally {
      await rx.close();
    }
  });

  it('shows the secret once: a replayed creation shows it again, and neither the row nor the stored answer holds it in clear', async () => {
    const payload = { url: 'http://127.0.0.1:9/hooks', eventTypes: ['order.pushed'] };
    const first = await call('POST', '/webhooks', 'admin', payload, { 'idempotency-key': `create-${P}` });
    expect(first.statusCode).toBe(201);
    const again = await call('POST', '/webhooks', 'admin', payload, { 'idempotency-key': `create-${P}` });
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toEqual(first.json());
    const { secret, id } = first.json();
    expect((await call('GET', '/webhooks')).json().items).toEqual([expect.not.objectContaining({ secret: expect.anything() })]);
    const stored = await sql<{ text: string }>`
      SELECT (SELECT secret_sealed FROM webhook_subscriptions WHERE id = ${id}) || (SELECT response::text FROM idempotency_keys WHERE key = ${`create-${P}`}) AS text`.execute(
      t.db.db,
    );
    expect(stored.rows[0]!.text).not.toContain(secret.slice('whsec_'.length));
    // A chosen secret is accepted and used.
    const chosen = `whsec_${randomBytes(24).toString('base64')}`;
    expect((await call('POST', '/webhooks', 'erp', { ...payload, secret: chosen })).json().secret).toBe(chosen);
    expect((await call('DELETE', `/webhooks/${id}`)).statusCode).toBe(204);
    const audit = (await t.app.inject({ method: 'GET', url: '/v1/audit-log?limit=500', headers: t.as('admin') })).json().items as {
      action: string;
      target: string;
    }[];
    expect(audit.filter((a) => a.target === id).map((a) => a.action)).toEqual(['webhook.deleted', 'webhook.created']);
    expect(JSON.stringify(audit)).not.toContain(secret.slice('whsec_'.length));
    expect(JSON.stringify(audit)).not.toContain(chosen.slice('whsec_'.length));
    expect((await call('GET', `/webhooks/${id}`)).statusCode).toBe(404);
  });

  it('refuses loopback, private, link-local and unique-local targets that are not allow-listed, and non-http URLs', async () => {
    for (const url of [
      'http://10.1.2.3/h',
      'http://192.168.0.10/h',
      'http://169.254.169.254/latest',
      'http://[::1]/h',
      'http://[fd00::1]/h',
      'http://127.0.0.2/h',
      'http://0.0.0.0/h',
    ]) {
      const res = await call('POST', '/webhooks', 'admin', { url, eventTypes: ['order.pushed'] });
      expect(res.statusCode, url).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json().errors).toEqual([expect.objectContaining({ field: 'body.url' })]);
    }
    const ftp = await call('POST', '/webhooks', 'admin', { url: 'ftp://example.com/h', eventTypes: ['order.pushed'] });
    expect(ftp.statusCode).toBe(400);
    // Credentials in the URL would be shown back to every admin and ERP key and kept in the audit log.
    const userinfo = await call('POST', '/webhooks', 'admin', {
      url: 'http://hookuser:s3cr3t@127.0.0.1:9/h',
      eventTypes: ['order.pushed'],
    });
    expect(userinfo.statusCode).toBe(400);
    expect(userinfo.json().errors).toEqual([expect.objectContaining({ field: 'body.url' })]);
    const sub = await subscribe('http://127.0.0.1:9/hooks');
    const moved = await call('PATCH', `/webhooks/${sub.id}`, 'erp', { url: 'http://172.16.0.1/h' });
    expect(moved.statusCode).toBe(400);
    expect((await call('GET', '/webhooks')).json().items).toHaveLength(1);
    // A target that became refused after it was accepted is refused again when delivering, without connecting.
    await sql`UPDATE webhook_subscriptions SET url = 'http://10.9.8.7/h' WHERE id = ${sub.id}`.execute(t.db.db);
    await hold();
    await run();
    const log = (await call('GET', `/webhooks/${sub.id}/deliveries`)).json().items;
    expect(log).toEqual([expect.objectContaining({ succeeded: false, statusCode: null, error: '10.9.8.7 is a refused address' })]);
    await call('DELETE', `/webhooks/${sub.id}`);
  });

  it('is for admin and erp keys only, and names an unknown event type', async () => {
    for (const role of ['sales', 'planner'] as const) {
      expect((await call('POST', '/webhooks', role, { url: 'http://127.0.0.1:9/h', eventTypes: ['order.pushed'] })).statusCode).toBe(403);
      expect((await call('GET', '/webhooks', role)).statusCode).toBe(403);
    }
    const res = await call('POST', '/webhooks', 'admin', { url: 'http://127.0.0.1:9/h', eventTypes: ['order.pushed', 'order.teleported'] });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].field).toBe('body.eventTypes[1]');
    expect((await call('GET', '/webhooks')).json().items).toEqual([]);
    expect((await t.app.inject({ method: 'GET', url: '/v1/plants/no-such-plant/webhooks', headers: t.as('erp') })).statusCode).toBe(404);
  });

  it("reports how many events each plant's active subscriptions are behind", async () => {
    const rx = await startReceiver();
    try {
      await subscribe(rx.url);
      for (let i = 0; i < 3; i++) await hold();
      const backlog = async () => {
        const text = await metrics.registry.getSingleMetricAsString('drumbeat_webhook_backlog_events');
        return Number(new RegExp(`drumbeat_webhook_backlog_events\\{plant="${P}"\\} (\\d+)`).exec(text)?.[1] ?? 'NaN');
      };
      expect(await backlog()).toBe(3);
      await run();
      expect(await backlog()).toBe(0);
    } finally {
      await rx.close();
    }
  });

  it('keeps delivery attempts for the configured days, then forgets them', async () => {
    const rx = await startReceiver();
    try {
      const sub = await subscribe(rx.url);
      await hold();
      await run();
      const log = async () => (await call('GET', `/webhooks/${sub.id}/deliveries`)).json().items as unknown[];
      expect(await log()).toHaveLength(1);
      advance(29 * 86_400_000);
      await t.app.webhookDeliverer.pruneLog();
      expect(await log()).toHaveLength(1);
      advance(2 * 86_400_000);
      expect(await t.app.webhookDeliverer.pruneLog()).toBeGreaterThanOrEqual(1);
      expect(await log()).toEqual([]);
    } finally {
      await rx.close();
    }
  });

  it('stops a delivery in progress when the subscription is paused: nothing after the send in flight, and resume repeats it', async () => {
    let unblock = () => {};
    const blocked = new Promise<number>((resolve) => (unblock = () => resolve(200)));
    const rx = await startReceiver((_r, count) => (count === 2 ? blocked : 200));
    try {
      const sub = await subscribe(rx.url);
      for (let i = 0; i < 4; i++) await hold();
      const running = run();
      await vi.waitFor(() => expect(rx.received).toHaveLength(2), { timeout: 10_000, interval: 10 });
      expect((await call('POST', `/webhooks/${sub.id}/pause`)).statusCode).toBe(200);
      unblock();
      expect(await running).toBe(2);
      // The lease's token was dropped: the holder sent nothing more and left the cursor where the pause found it.
      expect(rx.received).toHaveLength(2);
      const [first, second] = rx.received.map((r) => r.seq);
      expect((await call('GET', `/webhooks/${sub.id}`)).json()).toMatchObject({ status: 'paused', cursor: first });
      await call('POST', `/webhooks/${sub.id}/resume`);
      expect(await run()).toBe(3);
      expect(rx.received.map((r) => r.seq)).toEqual([first, second, second, second! + 1, second! + 2]);
      expect(rx.firstArrivals()).toEqual([first, second, second! + 1, second! + 2]);
    } finally {
      unblock();
      await rx.close();
    }
  });
});
