import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { aPlant, twoShiftWeek } from '../helpers/builders.ts';

let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(async () => t.close());

const post = (url: string, payload: unknown, role: 'admin' | 'planner' | 'sales' | 'erp' = 'admin') =>
  t.app.inject({ method: 'POST', url, headers: t.as(role), payload: payload as object });
const put = (url: string, payload: unknown, role: 'admin' | 'planner' | 'sales' | 'erp' = 'admin', headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'PUT', url, headers: { ...t.as(role), ...headers }, payload: payload as object });
const get = (url: string, role: 'admin' | 'planner' | 'sales' | 'erp' = 'admin') =>
  t.app.inject({ method: 'GET', url, headers: t.as(role) });

describe('plants', () => {
  it('creates a plant with a default buffer policy and lists it', async () => {
    const res = await post('/v1/plants', aPlant({ id: 'linz' }));
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ id: 'linz', timeZone: 'Europe/Berlin', scheduleVersion: 0 });
    const policy = await get('/v1/plants/linz/buffer-policy');
    expect(policy.json()).toMatchObject({ productionBufferDays: 10, shippingBufferDays: 5, standardLeadTimeDays: 10 });
    expect((await get('/v1/plants')).json().items.map((p: { id: string }) => p.id)).toContain('linz');
  });

  it('refuses a duplicate plant id with 409', async () => {
    await post('/v1/plants', aPlant({ id: 'dup' }));
    const res = await post('/v1/plants', aPlant({ id: 'dup' }));
    expect(res.statusCode).toBe(409);
    expect(res.headers['content-type']).toContain('application/problem+json');
  });

  it('refuses an unknown time zone naming the field', async () => {
    const res = await post('/v1/plants', aPlant({ id: 'tz', timeZone: 'Mars/Olympus' }));
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([expect.objectContaining({ field: 'body.timeZone' })]);
  });

  it('returns 404 problem for an unknown plant', async () => {
    const res = await get('/v1/plants/nowhere');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ type: 'https://drumbeat.dev/problems/not-found', status: 404 });
  });
});

describe('resources and calendars', () => {
  beforeAll(async () => {
    await post('/v1/plants', aPlant({ id: 'res' }));
  });

  it('creates a drum and refuses a second drum with 409', async () => {
    // Its own plant: the other tests here add resources to "res".
    await post('/v1/plants', aPlant({ id: 'drums' }));
    const cal = { weekly: twoShiftWeek, exceptions: [{ kind: 'holiday', date: '2026-12-25' }] };
    expect((await put('/v1/plants/drums/resources/cnc', { name: 'CNC', drum: true, calendar: cal })).statusCode).toBe(201);
    expect((await put('/v1/plants/drums/resources/cnc', { name: 'CNC 2', drum: true, calendar: cal })).statusCode).toBe(200);
    const second = await put('/v1/plants/drums/resources/lathe', { name: 'Lathe', drum: true, calendar: cal });
    expect(second.statusCode).toBe(409);
    expect(second.json().detail).toContain('cnc');
    const list = await get('/v1/plants/drums/resources');
    expect(list.json().items.map((r: { id: string }) => r.id)).toEqual(['cnc']);
  });

  it('refuses a shift that ends before it starts, naming the field', async () => {
    const res = await put('/v1/plants/res/resources/bad', {
      name: 'Bad',
      drum: false,
      calendar: { weekly: [{ day: 'mon', start: '14:00', end: '06:00' }], exceptions: [] },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].field).toBe('body.calendar.weekly[0].end');
  });

  it('refuses overlapping shifts', async () => {
    const res = await put('/v1/plants/res/resources/bad', {
      name: 'Bad',
      drum: false,
      calendar: {
        weekly: [
          { day: 'mon', start: '06:00', end: '14:00' },
          { day: 'mon', start: '13:00', end: '20:00' },
        ],
        exceptions: [],
      },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].field).toMatch(/^body\.calendar\.weekly\[\d\]/);
  });

  it('refuses an exception in an unknown format', async () => {
    const res = await put('/v1/plants/res/resources/bad', {
      name: 'Bad',
      drum: false,
      calendar: { weekly: [], exceptions: [{ kind: 'vacation', date: '25.12.2026' }] },
    });
    expect(res.statusCode).toBe(400);
    const fields = res.json().errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['body.calendar.exceptions[0].kind', 'body.calendar.exceptions[0].date']));
  });

  it('guards calendar edits with If-Match: a stale revision is 412', async () => {
    const first = await put('/v1/plants/res/resources/oven', {
      name: 'Oven',
      drum: false,
      calendar: { weekly: twoShiftWeek, exceptions: [] },
    });
    expect(first.headers.etag).toBe('"1"');
    const ok = await put(
      '/v1/plants/res/resources/oven',
      { name: 'Oven', drum: false, calendar: { weekly: [], exceptions: [] } },
      'admin',
      { 'if-match': '"1"' },
    );
    expect(ok.statusCode).toBe(200);
    const stale = await put(
      '/v1/plants/res/resources/oven',
      { name: 'Oven', drum: false, calendar: { weekly: [], exceptions: [] } },
      'admin',
      { 'if-match': '"1"' },
    );
    expect(stale.statusCode).toBe(412);
  });
});

describe('products and routings', () => {
  beforeAll(async () => {
    await post('/v1/plants', aPlant({ id: 'prod' }));
    await put('/v1/plants/prod/resources/cnc', { name: 'CNC', drum: true, calendar: { weekly: twoShiftWeek, exceptions: [] } });
  });

  it('stores a routing and returns it in order', async () => {
    const routing = [{ resource: 'cnc', setupMinutes: 30, runMinutesPerUnit: 2.5 }];
    const res = await put('/v1/plants/prod/products/VALVE-1', { name: 'Valve', routing, productionBufferDays: 6 });
    expect(res.statusCode).toBe(201);
    expect((await get('/v1/plants/prod/products/VALVE-1', 'sales')).json()).toMatchObject({ routing, productionBufferDays: 6 });
  });

  it('refuses a routing naming an unknown resource, naming the operation', async () => {
    const res = await put('/v1/plants/prod/products/X', {
      name: 'X',
      routing: [
        { resource: 'cnc', setupMinutes: 1, runMinutesPerUnit: 1 },
        { resource: 'ghost', setupMinutes: 1, runMinutesPerUnit: 1 },
      ],
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toEqual([expect.objectContaining({ field: 'body.routing[1].resource' })]);
    expect((await get('/v1/plants/prod/products/X')).statusCode).toBe(404);
  });

  it.each([
    ['negative setup', { setupMinutes: -1, runMinutesPerUnit: 1 }, 'body.routing[0].setupMinutes'],
    ['absurd run time', { setupMinutes: 1, runMinutesPerUnit: 1e9 }, 'body.routing[0].runMinutesPerUnit'],
  ])('refuses %s', async (_name, times, field) => {
    const res = await put('/v1/plants/prod/products/Y', { name: 'Y', routing: [{ resource: 'cnc', ...times }] });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0].field).toBe(field);
  });
});

describe('buffer policy', () => {
  it('defaults the shipping buffer to half the production buffer and the lead time to the buffer', async () => {
    await post('/v1/plants', aPlant({ id: 'buf' }));
    const res = await put('/v1/plants/buf/buffer-policy', { productionBufferDays: 9 });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ productionBufferDays: 9, shippingBufferDays: 5, standardLeadTimeDays: 9, revision: 2 });
  });
});
