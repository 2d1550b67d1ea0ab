import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMITTED } from '../../src/db/repos/orders.ts';
import { MinuteDrum, oracleFeasible } from '../engine/helpers/drum-oracle.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { realPostgresAvailable } from '../helpers/db.ts';
import { startServiceProcess, type ServiceProcess } from '../helpers/service-process.ts';

const days = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const calendar = { weekly: days.map((day) => ({ day, start: '00:00', end: '24:00' })), exceptions: [] };
const LOAD = 1000; // drum minutes per hold: 10 units × 100 min
const PLANTS = ['group-a', 'group-b', 'group-c'];
const REQUESTS = 60;
const toMinute = (d: Date) => Math.floor(d.getTime() / 60_000);
/** The drum works every minute (UTC), so a promise for day P with no shipping buffer is due at P + 1 day, 00:00. */
const dueMinute = (promiseDate: string) => Date.parse(`${promiseDate}T00:00:00Z`) / 60_000 + 1440;

// Two real service processes on one PostgreSQL, each committing the batches of several plants
// in one transaction (cross-plant group commit), every plant written by both: the groups lock
// with SKIP LOCKED, so they never wait on each other (no deadlock), and a plant skipped is
// written later. Judged without the engine: per plant, the holds granted fit the drum as the
// minute-by-minute simulation says, and the event log is gap-free. The processes use the
// system clock, so capacity is computed around the run.
describe.skipIf(!realPostgresAvailable())('two processes group-committing overlapping plants', () => {
  let t: TestApp;
  let services: ServiceProcess[] = [];

  beforeAll(async () => {
    t = await buildTestApp({ kind: 'postgres', now: new Date().toISOString() });
    const admin = t.as('admin');
    const send = async (method: 'POST' | 'PUT', url: string, payload: object) => {
      const res = await t.app.inject({ method, url, headers: admin, payload });
      if (res.statusCode >= 300) throw new Error(`${url}: ${res.body}`);
    };
    for (const id of PLANTS) {
      await send('POST', '/v1/plants', { id, name: id, timeZone: 'UTC' });
      await send('PUT', `/v1/plants/${id}/resources/drum`, { name: 'Drum', drum: true, calendar });
      await send('PUT', `/v1/plants/${id}/products/BIG`, {
        name: 'Big',
        routing: [{ resource: 'drum', setupMinutes: 0, runMinutesPerUnit: 100 }],
      });
      await send('PUT', `/v1/plants/${id}/buffer-policy`, { productionBufferDays: 2, shippingBufferDays: 0, standardLeadTimeDays: 0 });
    }
    services = await Promise.all([startServiceProcess({ DATABASE_URL: t.db.url! }), startServiceProcess({ DATABASE_URL: t.db.url! })]);
  }, 60_000);

  afterAll(async () => {
    await Promise.all(services.map((s) => s.stop()));
    await t?.close();
  });

  it('grants per plant exactly what fits, never deadlocks, and leaves every plant feasible with a gap-free log', async () => {
    const promiseDate = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
    const deadline = dueMinute(promiseDate);
    const fitAtStart = Math.floor((deadline - toMinute(new Date())) / LOAD);

    // Request i goes to plant i mod 3 through process ⌊i / 3⌋ mod 2: each process writes every plant.
    const responses = await Promise.all(
      Array.from({ length: REQUESTS }, (_, i) =>
        fetch(`${services[Math.floor(i / PLANTS.length) % 2]!.url}/v1/plants/${PLANTS[i % PLANTS.length]}/holds`, {
          method: 'POST',
          headers: { authorization: `Bearer ${t.keys.sales}`, 'content-type': 'application/json' },
          body: JSON.stringify({ sku: 'BIG', quantity: 10, promiseDate, customer: `client ${i}` }),
        }).then(async (r) => ({ plant: PLANTS[i % PLANTS.length]!, status: r.status, body: (await r.json()) as Record<string, unknown> })),
      ),
    );
    const fitAtEnd = Math.floor((deadline - toMinute(new Date())) / LOAD);

    for (const plant of PLANTS) {
      const mine = responses.filter((r) => r.plant === plant);
      const won = mine.filter((r) => r.status === 201);
      expect(won.length + mine.filter((r) => r.status === 409).length).toBe(mine.length);
      expect(won.length).toBeGreaterThanOrEqual(fitAtEnd);
      expect(won.length).toBeLessThanOrEqual(fitAtStart);

      const rows = await t.db.db.selectFrom('orders').selectAll().where('plant_id', '=', plant).execute();
      expect(new Set(rows.map((r) => r.id))).toEqual(new Set(won.map((r) => r.body.id)));
      const committed = rows.filter((r) => COMMITTED.includes(r.status));
      const lastGrant = Math.max(...committed.map((r) => toMinute(r.created_at)));
      const drum = new MinuteDrum(lastGrant, new Uint8Array(deadline - lastGrant + 1).fill(1));
      const orders = committed.map((r) => ({ id: r.id, load: r.drum_load_minutes, deadline: toMinute(r.drum_deadline), seq: r.seq }));
      expect(oracleFeasible(drum, orders, lastGrant)).toBe(true);

      const events = await t.db.db
        .selectFrom('schedule_events')
        .select(['seq', 'type'])
        .where('plant_id', '=', plant)
        .orderBy('seq')
        .execute();
      expect(events.filter((e) => e.type === 'hold.created')).toHaveLength(won.length);
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    }
  });
});
