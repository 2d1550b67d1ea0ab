import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { aPlant, seedPlant, twoShiftWeek } from '../helpers/builders.ts';
import { realPostgresAvailable } from '../helpers/db.ts';

// Answers that carry instants carry the plant's time zone, the zone its local dates are days of.
describe.each(realPostgresAvailable() ? (['postgres', 'pglite'] as const) : (['pglite'] as const))(
  "the plant's time zone beside instants on %s",
  (kind) => {
    let t: TestApp;
    const zones = { 'tz-berlin': 'Europe/Berlin', 'tz-chicago': 'America/Chicago' } as const;
    beforeAll(async () => {
      t = await buildTestApp({ kind, now: '2026-11-23T08:00:00Z' });
      await seedPlant(t, 'tz-berlin');
      const admin = t.as('admin');
      const put = async (url: string, payload: object) => {
        const res = await t.app.inject({ method: url.endsWith('/plants') ? 'POST' : 'PUT', url, headers: admin, payload });
        expect(res.statusCode).toBeLessThan(300);
      };
      await put('/v1/plants', aPlant({ id: 'tz-chicago', timeZone: 'America/Chicago' }));
      await put('/v1/plants/tz-chicago/resources/cnc', { name: 'CNC', drum: true, calendar: { weekly: twoShiftWeek, exceptions: [] } });
      await put('/v1/plants/tz-chicago/products/P1', {
        name: 'P1',
        routing: [{ resource: 'cnc', setupMinutes: 30, runMinutesPerUnit: 10 }],
      });
    });
    afterAll(async () => t.close());

    it.each(Object.entries(zones))('%s: holds, confirms, pushes, order reads, lists and the schedule say %s', async (plant, zone) => {
      const base = `/v1/plants/${plant}`;
      const call = (method: 'GET' | 'POST' | 'PUT', url: string, role: 'sales' | 'planner' | 'erp', payload?: object, extra = {}) =>
        t.app.inject({ method, url: `${base}/${url}`, headers: { ...t.as(role), ...extra }, ...(payload ? { payload } : {}) });

      const hold = await call('POST', 'holds', 'sales', { sku: 'P1', quantity: 2 });
      expect(hold.statusCode).toBe(201);
      expect(hold.json().timeZone).toBe(zone);
      const headers = { 'idempotency-key': `confirm-${plant}` };
      const confirm = await call('POST', `holds/${hold.json().id}/confirm`, 'sales', { customer: 'K' }, headers);
      const replay = await call('POST', `holds/${hold.json().id}/confirm`, 'sales', { customer: 'K' }, headers);
      expect(confirm.statusCode).toBe(201);
      expect(replay.json()).toEqual(confirm.json());
      expect(confirm.json().timeZone).toBe(zone);
      const push = await call('PUT', 'orders/by-external-id/TZ-1', 'erp', {
        sku: 'P1',
        quantity: 1,
        promiseDate: '2026-12-18',
        customer: 'K',
      });
      expect(push.json().timeZone).toBe(zone);

      expect((await call('GET', `orders/${hold.json().id}`, 'planner')).json().timeZone).toBe(zone);
      expect((await call('GET', 'orders/by-external-id/TZ-1', 'erp')).json().timeZone).toBe(zone);
      const list = (await call('GET', 'orders', 'planner')).json();
      expect(list.items).toHaveLength(2);
      for (const o of list.items) expect(o.timeZone).toBe(zone);
      const schedule = await call('GET', 'schedule', 'planner');
      expect(schedule.statusCode).toBe(200);
      expect(schedule.json()).toMatchObject({ plant, timeZone: zone });
    });
  },
);
