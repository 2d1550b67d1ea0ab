import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/http/app.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { aPlant, seedPlant, twoShiftWeek } from '../helpers/builders.ts';

// The test clock stands at 2026-11-23; the default horizon is 1826 days.
const LATEST = '2031-11-23';
const EARLIEST = '2021-11-23';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
  await seedPlant(t);
  const admin = t.as('admin');
  const put = async (url: string, payload: object) => {
    const res = await t.app.inject({ method: 'PUT', url, headers: admin, payload });
    expect(res.statusCode, res.body).toBeLessThan(300);
  };
  // A product whose drum load (10^10 minutes) no calendar holds within five years.
  await put('/v1/plants/plant-1/products/HUGE', {
    name: 'Huge',
    routing: [{ resource: 'cnc', setupMinutes: 0, runMinutesPerUnit: 100_000 }],
  });
  // A plant whose drum has no working time at all.
  expect((await t.app.inject({ method: 'POST', url: '/v1/plants', headers: admin, payload: aPlant({ id: 'idle' }) })).statusCode).toBe(201);
  await put('/v1/plants/idle/resources/cnc', { name: 'CNC', drum: true, calendar: { weekly: [], exceptions: [] } });
  await put('/v1/plants/idle/products/P1', { name: 'P1', routing: [{ resource: 'cnc', setupMinutes: 30, runMinutesPerUnit: 10 }] });
});
afterAll(async () => t.close());

type Res = { statusCode: number; headers: Record<string, unknown>; json(): any; body: string };

const badRequest = (res: Res, fields: string[]) => {
  expect(res.statusCode, res.body).toBe(400);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = res.json();
  expect(body.type).toBe('https://drumbeat.dev/problems/validation-error');
  expect(body.errors.map((e: { field: string }) => e.field)).toEqual(fields);
  return body;
};

const quote = (payload: object, plant = 'plant-1') =>
  t.app.inject({ method: 'POST', url: `/v1/plants/${plant}/quotes`, headers: t.as('sales'), payload });

describe('every date the API accepts lies within the planning horizon', () => {
  it('a quote for 9999-12-31 is a 400 naming the field and the limit', async () => {
    const body = badRequest(await quote({ sku: 'P1', quantity: 1, requestedDate: '9999-12-31' }), ['body.requestedDate']);
    expect(body.detail).toBe(`requestedDate 9999-12-31 is beyond the planning horizon (${LATEST}).`);
    expect(body.planningHorizon).toEqual({ earliest: EARLIEST, latest: LATEST });
  });

  it('a quote for year 0001 is a 400, not a 500', async () => {
    badRequest(await quote({ sku: 'P1', quantity: 1, requestedDate: '0001-01-01' }), ['body.requestedDate']);
  });

  it('the last day of the horizon is accepted; the day after is not', async () => {
    const ok = await quote({ sku: 'P1', quantity: 1, requestedDate: LATEST });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json().requestedDateFeasible).toBe(true);
    badRequest(await quote({ sku: 'P1', quantity: 1, requestedDate: '2031-11-24' }), ['body.requestedDate']);
  });

  it('holds, orders, ERP pushes and re-promises refuse a promise date beyond it', async () => {
    const far = { sku: 'P1', quantity: 1, promiseDate: '9999-12-31', customer: 'ACME' };
    const hold = await t.app.inject({ method: 'POST', url: '/v1/plants/plant-1/holds', headers: t.as('sales'), payload: far });
    badRequest(hold, ['body.promiseDate']);
    const order = await t.app.inject({ method: 'POST', url: '/v1/plants/plant-1/orders', headers: t.as('planner'), payload: far });
    badRequest(order, ['body.promiseDate']);
    const push = await t.app.inject({
      method: 'PUT',
      url: '/v1/plants/plant-1/orders/by-external-id/SO-FAR',
      headers: t.as('erp'),
      payload: far,
    });
    badRequest(push, ['body.promiseDate']);
    const placed = await t.app.inject({
      method: 'POST',
      url: '/v1/plants/plant-1/orders',
      headers: t.as('planner'),
      payload: { ...far, promiseDate: '2026-12-18' },
    });
    expect(placed.statusCode, placed.body).toBe(201);
    const repromise = await t.app.inject({
      method: 'POST',
      url: `/v1/plants/plant-1/orders/${placed.json().id}/repromise`,
      headers: t.as('planner'),
      payload: { promiseDate: '0001-01-01', reason: 'probe' },
    });
    badRequest(repromise, ['body.promiseDate']);
  });

  it('capacity changes, calendars, reports and the release list refuse dates outside it', async () => {
    const planner = t.as('planner');
    const change = await t.app.inject({
      method: 'POST',
      url: '/v1/plants/plant-1/capacity-changes?preview=true',
      headers: planner,
      payload: {
        resource: 'cnc',
        kind: 'overtime',
        date: '9999-12-31',
        start: '22:00',
        end: '24:00',
        reason: 'probe',
        repromises: [{ orderId: '00000000-0000-4000-8000-000000000000', promiseDate: '0001-01-01', reason: 'probe' }],
      },
    });
    badRequest(change, ['body.date', 'body.repromises[0].promiseDate']);
    const calendar = await t.app.inject({
      method: 'PUT',
      url: '/v1/plants/plant-1/resources/saw',
      headers: t.as('admin'),
      payload: { name: 'Saw', calendar: { weekly: twoShiftWeek, exceptions: [{ kind: 'holiday', date: '9999-12-31' }] } },
    });
    badRequest(calendar, ['body.calendar.exceptions[0].date']);
    for (const report of ['load', 'kpis']) {
      const res = await t.app.inject({
        method: 'GET',
        url: `/v1/plants/plant-1/${report}?from=0001-01-01&to=9999-12-31`,
        headers: planner,
      });
      badRequest(res, ['querystring.from', 'querystring.to']);
    }
    const releases = await t.app.inject({ method: 'GET', url: '/v1/plants/plant-1/release-list?date=9999-12-31', headers: planner });
    badRequest(releases, ['querystring.date']);
  });
});

describe('every engine search stops at the planning horizon', () => {
  const noCapacity = (res: Res) => {
    expect(res.statusCode, res.body).toBe(409);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json().type).toBe('https://drumbeat.dev/problems/no-capacity-within-horizon');
    return res.json();
  };

  it('a drum without working time answers a quote with 409 no-capacity-within-horizon', async () => {
    noCapacity(await quote({ sku: 'P1', quantity: 1 }, 'idle'));
    noCapacity(await quote({ sku: 'P1', quantity: 1, requestedDate: '2026-12-18' }, 'idle'));
  });

  it('a load larger than the horizon holds answers 409, naming the horizon, for quotes, prices and holds', async () => {
    const body = noCapacity(await quote({ sku: 'HUGE', quantity: 100_000 }));
    expect(body.drumLoadMinutes).toBe(10_000_000_000);
    expect(body.detail).toContain('planning horizon');
    noCapacity(await quote({ sku: 'HUGE', quantity: 100_000, requestedDate: '2027-06-30' }));
    noCapacity(
      await t.app.inject({
        method: 'POST',
        url: '/v1/plants/plant-1/holds',
        headers: t.as('sales'),
        payload: { sku: 'HUGE', quantity: 100_000 },
      }),
    );
  });

  it('the plant keeps answering normal quotes afterwards', async () => {
    const res = await quote({ sku: 'P1', quantity: 5 });
    expect(res.statusCode, res.body).toBe(200);
  });
});

describe('a later, shorter horizon leaves existing orders valid', () => {
  let wide: App;
  beforeAll(async () => {
    wide = await buildApp({ db: t.db.db, clock: t.clock, maxOrderQuantity: 100_000, planningHorizonDays: 3660 });
    await wide.ready();
  });
  afterAll(async () => wide.close());

  it('an order promised under a ten-year horizon is still read, scheduled and re-pushed unchanged under five years', async () => {
    const far = { sku: 'P1', quantity: 2, promiseDate: '2034-06-30', customer: 'ACME' };
    const url = '/v1/plants/plant-1/orders/by-external-id/SO-2034';
    const created = await wide.inject({ method: 'PUT', url, headers: t.as('erp'), payload: far });
    expect(created.statusCode, created.body).toBe(201);
    const id = created.json().id;

    const read = await t.app.inject({ method: 'GET', url: `/v1/plants/plant-1/orders/${id}`, headers: t.as('planner') });
    expect(read.statusCode).toBe(200);
    expect(read.json().promiseDate).toBe('2034-06-30');
    const schedule = await t.app.inject({ method: 'GET', url: '/v1/plants/plant-1/schedule', headers: t.as('planner') });
    expect(schedule.statusCode).toBe(200);
    expect(schedule.json().orders.map((o: { id: string }) => o.id)).toContain(id);
    const again = await t.app.inject({ method: 'PUT', url, headers: t.as('erp'), payload: far });
    expect(again.statusCode, again.body).toBe(200);
    const moved = await t.app.inject({ method: 'PUT', url, headers: t.as('erp'), payload: { ...far, promiseDate: '2034-07-31' } });
    badRequest(moved, ['body.promiseDate']);
    expect((await quote({ sku: 'P1', quantity: 1 })).statusCode).toBe(200);
  });
});
