import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMITTED } from '../../src/db/repos/orders.ts';
import { buildWorkingTime, drumDeadlineFor, DrumBook } from '../../src/engine/index.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { realPostgresAvailable } from '../helpers/db.ts';
import { startServiceProcess, type ServiceProcess } from '../helpers/service-process.ts';

const days = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const calendar = { weekly: days.map((day) => ({ day, start: '00:00', end: '24:00' })), exceptions: [] };
const LOAD = 1000; // drum minutes per hold: 10 units × 100 min
const toMinute = (d: Date) => Math.floor(d.getTime() / 60_000);

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
    const wt = buildWorkingTime({ timeZone: 'UTC', ...calendar });
    const promiseDate = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
    const deadline = drumDeadlineFor(wt, promiseDate, 0);
    const fitAtStart = Math.floor(wt.minutesBetween(toMinute(new Date()), deadline) / LOAD);

    const responses = await Promise.all(
      Array.from({ length: 32 }, (_, i) =>
        fetch(`${services[i % 2]!.url}/v1/plants/race/holds`, {
          method: 'POST',
          headers: { authorization: `Bearer ${t.keys.sales}`, 'content-type': 'application/json' },
          body: JSON.stringify({ sku: 'BIG', quantity: 10, promiseDate, customer: `client ${i}` }),
        }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> })),
      ),
    );
    const fitAtEnd = Math.floor(wt.minutesBetween(toMinute(new Date()), deadline) / LOAD);

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
    const committed = rows.filter((r) => COMMITTED.includes(r.status));
    const book = new DrumBook(
      wt,
      committed.map((r) => ({ id: r.id, load: r.drum_load_minutes, deadline: toMinute(r.drum_deadline), seq: r.seq })),
    );
    expect(book.feasible(toMinute(new Date()))).toBe(true);

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
