import { Writable } from 'node:stream';
import type { FastifyServerOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgres } from '../../src/db/connect.ts';
import { buildApp, type App } from '../../src/http/app.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { realPostgresAvailable } from '../helpers/db.ts';
import { startTcpProxy } from '../helpers/tcp-proxy.ts';

const days = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const calendar = { weekly: days.map((day) => ({ day, start: '00:00', end: '24:00' })), exceptions: [] };

// The service's database goes away under light load and comes back: requests in between get
// 503 problem+json with Retry-After, the outage is logged once, the service recovers without a
// restart, and every hold it acknowledged (201) is in the database afterwards.
describe.skipIf(!realPostgresAvailable())('a database outage under light load', () => {
  let t: TestApp;
  let proxy: Awaited<ReturnType<typeof startTcpProxy>>;
  let service: App;
  let closeService: () => Promise<void>;
  const logLines: Array<{ level: number; msg: string }> = [];

  beforeAll(async () => {
    t = await buildTestApp({ kind: 'postgres', now: new Date().toISOString() });
    const admin = t.as('admin');
    const send = async (method: 'POST' | 'PUT', url: string, payload: object) => {
      const res = await t.app.inject({ method, url, headers: admin, payload });
      if (res.statusCode >= 300) throw new Error(`${url}: ${res.body}`);
    };
    await send('POST', '/v1/plants', { id: 'outage', name: 'Outage', timeZone: 'UTC' });
    await send('PUT', '/v1/plants/outage/resources/drum', { name: 'Drum', drum: true, calendar });
    await send('PUT', '/v1/plants/outage/products/P', {
      name: 'P',
      routing: [{ resource: 'drum', setupMinutes: 0, runMinutesPerUnit: 1 }],
    });

    const target = new URL(t.db.url!);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const viaProxy = new URL(t.db.url!);
    viaProxy.host = `127.0.0.1:${proxy.port}`;
    const handle = openPostgres(viaProxy.toString(), 4);
    const stream = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) logLines.push(JSON.parse(line) as { level: number; msg: string });
        done();
      },
    });
    service = await buildApp(
      { db: handle.db, clock: { now: () => new Date() }, maxOrderQuantity: 1000, listen: handle.listen },
      { logger: { level: 'warn', stream } as FastifyServerOptions['logger'], holdSweepMs: 200 },
    );
    await service.ready();
    closeService = async () => {
      await service.close();
      await handle.close();
    };
  }, 60_000);

  afterAll(async () => {
    await closeService?.();
    await proxy?.close();
    await t?.close();
  });

  const hold = (i: number) =>
    service.inject({
      method: 'POST',
      url: '/v1/plants/outage/holds',
      headers: t.as('sales'),
      payload: { sku: 'P', quantity: 1, customer: `C${i}` },
    });

  it('answers 503 with Retry-After while the database is away, logs it once, and recovers', async () => {
    const acknowledged: string[] = [];
    let i = 0;
    for (; i < 5; i++) {
      const res = await hold(i);
      expect(res.statusCode).toBe(201);
      acknowledged.push(res.json<{ id: string }>().id);
    }

    proxy.cut();
    const during = [];
    for (let k = 0; k < 6; k++, i++) {
      during.push(await hold(i));
      // A liveness probe answers 200 without the database: it must not end (and re-log) the outage.
      expect((await service.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    }
    await new Promise((r) => setTimeout(r, 600)); // the background sweep fails a few times too
    for (const res of during) {
      if (res.statusCode === 201) {
        acknowledged.push(res.json<{ id: string }>().id); // a write may have committed just before the cut
        continue;
      }
      expect(res.statusCode).toBe(503);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.headers['retry-after']).toBe('5');
      expect(res.json()).toMatchObject({ type: 'https://drumbeat.dev/problems/service-unavailable', status: 503 });
    }
    expect(during.filter((r) => r.statusCode === 503).length).toBeGreaterThanOrEqual(5);

    proxy.restore();
    let recovered = false;
    for (let k = 0; k < 50 && !recovered; k++, i++) {
      const res = await hold(i);
      if (res.statusCode === 201) {
        acknowledged.push(res.json<{ id: string }>().id);
        recovered = true;
      } else {
        expect(res.statusCode).toBe(503);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    expect(recovered).toBe(true);

    const stored = await t.db.db.selectFrom('orders').select('id').where('plant_id', '=', 'outage').execute();
    const ids = new Set(stored.map((r) => r.id));
    for (const id of acknowledged) expect(ids.has(id)).toBe(true);

    const outageErrors = logLines.filter((l) => l.level >= 50);
    expect(outageErrors.map((l) => l.msg)).toEqual([
      expect.stringMatching(/^database unavailable \(.*\): answering 503 until it is back$/),
    ]);
    // The end of the outage is logged once a database round trip succeeds (asynchronously).
    const ended = () => logLines.some((l) => /^database available again after \d+ s$/.test(l.msg));
    for (let k = 0; k < 100 && !ended(); k++) await new Promise((r) => setTimeout(r, 50));
    expect(ended()).toBe(true);
  });
});
