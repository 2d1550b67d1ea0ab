import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMITTED } from '../../src/db/repos/orders.ts';
import { MinuteDrum, oracleFeasible } from '../engine/helpers/drum-oracle.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { realPostgresAvailable } from '../helpers/db.ts';
import { startServiceProcess, type ServiceProcess } from '../helpers/service-process.ts';

const days = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const calendar = { weekly: days.map((day) => ({ day, start: '00:00', end: '24:00' })), exceptions: [] };
const LOAD = 1000; // drum minutes per hold: 10 units × 100 min
const toMinute = (d: Date) => Math.floor(d.getTime() / 60_000);
/** The drum works every minute (UTC, 00:00–24:00 daily), so a promise for day P with no shipping buffer is due at P + 1 day, 00:00. */
const dueMinute = (promiseDate: string) => Date.parse(`${promiseDate}T00:00:00Z`) / 60_000 + 1440;

// Two real service processes on one PostgreSQL, 32 clients racing for the last free drum
// capacity. The processes use the system clock, so capacity is computed around the run.
describe.skipIf(!realPostgresAvailable())('32 clients over two service processes holding the last capacity', () => {
  let t: TestApp;
  let services: ServiceProcess[] = [];

  beforeAll(async () => {
    t = await buildTestApp({ kind: 'postgres', now: new Date().toISOString() });
    const admin = t.as('admin');
    const send = async (method: 'POST' | 'PUT', url: string, payload: object) => {
      const res = await t.app.inject({ method, url, headers: admin, payload });
      if (res.statusCode >= 300) throw new Error(`${url}: ${res.body}`);
    };
    await send('POST', '/v1/plants', { id: 'race', name: 'Race', timeZone: 'UTC' });
    await send('PUT', '/v1/plants/race/resources/drum', { name: 'Drum', drum: true, calendar });
    await send('PUT', '/v1/plants/race/products/BIG', {
      name: 'Big',
      routing: [{ resource: 'drum', setupMinutes: 0, runMinutesPerUnit: 100 }],
    });
    await send('PUT', '/v1/plants/race/buffer-policy', { productionBufferDays: 2, shippingBufferDays: 0, standardLeadTimeDays: 0 });
    services = await Promise.all([startServiceProcess({ DATABASE_URL: t.db.url! }), startServiceProcess({ DATABASE_URL: t.db.url! })]);
  }, 60_000);

  afterAll(async () => {
    await Promise.all(services.map((s) => s.stop()));
    await t?.close();
  });

  it('grants exactly as many holds as fit, refuses the rest with a later date, and leaves a feasible schedule', async () => {
    // Capacity is counted without the engine: every minute until the due instant works.
    const promiseDate = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
    const deadline = dueMinute(promiseDate);
    const fitAtStart = Math.floor((deadline - toMinute(new Date())) / LOAD);

    const responses = await Promise.all(
      Array.from({ length: 32 }, (_, i) =>
        fetch(`${services[i % 2]!.url}/v1/plants/race/holds`, {
          method: 'POST',
          headers: { authorization: `Bearer ${t.keys.sales}`, 'content-type': 'application/json' },
          body: JSON.stringify({ sku: 'BIG', quantity: 10, promiseDate, customer: `client ${i}` }),
        }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> })),
      ),
    );
    const fitAtEnd = Math.floor((deadline - toMinute(new Date())) / LOAD);

    const won = responses.filter((r) => r.status === 201);
    const refused = responses.filter((r) => r.status === 409);
    expect(won.length + refused.length).toBe(32);
    expect(won.length).toBeGreaterThanOrEqual(fitAtEnd);
    expect(won.length).toBeLessThanOrEqual(fitAtStart);
    expect(won.length).toBeGreaterThan(0);
    for (const r of refused) {
      expect(r.body.type).toBe('https://drumbeat.dev/problems/schedule-infeasible');
      expect(String(r.body.earliestPromiseDate) > promiseDate).toBe(true);
    }

    const rows = await t.db.db.selectFrom('orders').selectAll().where('plant_id', '=', 'race').execute();
    expect(rows).toHaveLength(won.length);
    expect(new Set(rows.map((r) => r.id))).toEqual(new Set(won.map((r) => r.body.id)));
    // No over-commit, judged by the minute-by-minute drum simulation (no engine code): as of
    // the minute the last hold was granted, the drum works through every granted hold in
    // deadline order and finishes each by its due instant.
    const committed = rows.filter((r) => COMMITTED.includes(r.status));
    for (const r of committed) expect(toMinute(r.drum_deadline)).toBe(deadline);
    const lastGrant = Math.max(...committed.map((r) => toMinute(r.created_at)));
    const drum = new MinuteDrum(lastGrant, new Uint8Array(deadline - lastGrant + 1).fill(1));
    const orders = committed.map((r) => ({ id: r.id, load: r.drum_load_minutes, deadline: toMinute(r.drum_deadline), seq: r.seq }));
    expect(oracleFeasible(drum, orders, lastGrant)).toBe(true);
    // The oracle can say no: the same set plus one hold the size of the whole remaining window is infeasible.
    const tooMuch = { id: 'too-much', load: deadline - lastGrant, deadline, seq: Number.MAX_SAFE_INTEGER };
    expect(oracleFeasible(drum, [...orders, tooMuch], lastGrant)).toBe(false);

    const events = await t.db.db
      .selectFrom('schedule_events')
      .select(['seq', 'type'])
      .where('plant_id', '=', 'race')
      .orderBy('seq')
      .execute();
    expect(events.filter((e) => e.type === 'hold.created')).toHaveLength(won.length);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
  });
});
