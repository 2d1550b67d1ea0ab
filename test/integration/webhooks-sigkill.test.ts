import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createApiKey } from '../../src/domain/api-keys.ts';
import { twoShiftWeek } from '../helpers/builders.ts';
import { openTestDb, realPostgresAvailable, type TestDb } from '../helpers/db.ts';
import { startServiceProcess, type ServiceProcess } from '../helpers/service-process.ts';
import { startReceiver } from '../helpers/webhook-receiver.ts';

// Two service processes deliver one subscription; the one sending is SIGKILLed while its
// request is in flight. Every event still arrives (at least once, the interrupted one again
// under the same webhook-id), in sequence order, with no gap: the cursor only moves after a
// receiver's 2xx, and the killed process's lease runs out so the other takes over.
describe.skipIf(!realPostgresAvailable())('webhook delivery across a SIGKILL', () => {
  let db: TestDb | undefined;
  const processes: ServiceProcess[] = [];
  let closeReceiver: (() => Promise<void>) | undefined;
  afterAll(async () => {
    for (const p of processes) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    await closeReceiver?.();
    await db?.close();
  });

  it('loses nothing and keeps order when the delivering process is killed mid-delivery', async () => {
    db = await openTestDb({ kind: 'postgres' });
    const key = async (role: 'admin' | 'sales' | 'erp') =>
      `Bearer ${(await createApiKey(db!.db, { name: `sigkill ${role}`, role, plantIds: null })).key}`;
    const [admin, sales, erp] = [await key('admin'), await key('sales'), await key('erp')];
    const env = {
      DATABASE_URL: db.url!,
      WEBHOOK_SECRET_KEY: randomBytes(32).toString('base64'),
      WEBHOOK_ALLOW_HOSTS: '127.0.0.1',
      WEBHOOK_POLL_SECONDS: '0.2',
      WEBHOOK_TIMEOUT_SECONDS: '1',
      WEBHOOK_LEASE_SECONDS: '3',
      WEBHOOK_RETRY_BASE_SECONDS: '0.1',
      WEBHOOK_RETRY_MAX_SECONDS: '0.5',
      HOLD_SWEEP_SECONDS: '3600',
    };

    // The receiver leaves its 4th request unanswered: the sender is killed while waiting for it.
    let release = () => {};
    const heldBack = new Promise<number>((resolve) => (release = () => resolve(200)));
    const rx = await startReceiver((_r, n) => (n === 4 ? heldBack : 200));
    closeReceiver = async () => {
      release();
      await rx.close();
    };

    const a = await startServiceProcess(env);
    processes.push(a);
    const call = async (svc: ServiceProcess, method: string, path: string, authorization: string, body?: unknown) => {
      const res = await fetch(`${svc.url}${path}`, {
        method,
        headers: { authorization, ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      const json = (await res.json()) as Record<string, unknown>;
      if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
      return json;
    };
    await call(a, 'POST', '/v1/plants', admin, { id: 'kill', name: 'Kill', timeZone: 'Europe/Berlin' });
    await call(a, 'PUT', '/v1/plants/kill/resources/cnc', admin, {
      name: 'CNC',
      drum: true,
      calendar: { weekly: twoShiftWeek, exceptions: [] },
    });
    await call(a, 'PUT', '/v1/plants/kill/products/P1', admin, {
      name: 'P1',
      routing: [{ resource: 'cnc', setupMinutes: 30, runMinutesPerUnit: 10 }],
    });
    await call(a, 'POST', '/v1/plants/kill/webhooks', erp, { url: rx.url, eventTypes: ['hold.created'] });
    const holds = async (svc: ServiceProcess, count: number) => {
      for (let i = 0; i < count; i++) await call(svc, 'POST', '/v1/plants/kill/holds', sales, { sku: 'P1', quantity: 1, ttlSeconds: 3600 });
    };

    await holds(a, 8);
    // Only A runs yet, so A sent the request the receiver holds back.
    await vi.waitFor(() => expect(rx.received).toHaveLength(4), { timeout: 20_000, interval: 50 });
    const interrupted = rx.received[3]!;
    const b = await startServiceProcess(env);
    processes.push(b);
    a.child.kill('SIGKILL');
    await new Promise((resolve) => a.child.once('exit', resolve));
    release();

    await holds(b, 8);
    const feed = (await call(b, 'GET', '/v1/plants/kill/events?after=0&limit=1000', erp)) as { items: { seq: number; type: string }[] };
    const expected = feed.items.filter((e) => e.type === 'hold.created').map((e) => e.seq);
    expect(expected).toHaveLength(16);
    await vi.waitFor(() => expect(rx.firstArrivals()).toEqual(expected), { timeout: 30_000, interval: 100 });

    // The interrupted event came again, under the same webhook-id, and nothing arrived out of order.
    expect(rx.received.filter((r) => r.id === interrupted.id).length).toBeGreaterThanOrEqual(2);
    const seqs = rx.received.map((r) => r.seq);
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    await b.stop();
    expect(b.child.exitCode).toBe(0);
  }, 120_000);
});
