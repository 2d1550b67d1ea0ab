import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildSecondApp, buildTestApp, type TestApp } from '../helpers/app.ts';
import { seedPlant } from '../helpers/builders.ts';
import { realPostgresAvailable } from '../helpers/db.ts';
import { auditPlant } from '../helpers/keepability-review.ts';
import { NOW, routePlantSession, twoShifts } from '../helpers/route-plant.ts';

// Review of the fresh changes (brief G): late material pushed by the ERP as a fact (change 3),
// attacked as an integrator over HTTP. Plant: test/helpers/route-plant.ts (heat Mon–Thu → drum →
// test; H×5 works 480, 30, 15 minutes; Monday 2026-11-23 09:00 Berlin; earliest H×5 is Wednesday).

const kinds = realPostgresAvailable() ? (['postgres'] as const) : (['pglite'] as const);

describe.each(kinds)('review: late material pushed by the ERP on %s', (kind) => {
  let t: TestApp;
  const s = routePlantSession(() => t, `rv2mat-${kind}`);
  beforeAll(async () => {
    t = await buildTestApp({ now: NOW, kind });
  });
  beforeEach(() => t.clock.set(NOW));
  afterAll(async () => t.close());

  const plantId = () => s.P.split('/').pop()!;
  const push = (ext: string, promiseDate: string, extra: object = {}, role: 'erp' | 'sales' | 'planner' = 'erp') =>
    s.call('PUT', `orders/by-external-id/${ext}`, role, { sku: 'H', quantity: 5, promiseDate, customer: 'E', ...extra });
  const atRisk = async () => (await s.ok('GET', 'at-risk', 'planner')).items as { orderId: string; reason: string }[];
  const expectHonest = async (step: string) => {
    const a = await auditPlant(t, plantId(), s.calendars, { sweep: false });
    expect(a.describe(), step).toBe('');
  };
  const pushedAtEarliest = async () => {
    await s.create();
    const q = await s.ok('POST', 'quotes', 'erp', { sku: 'H', quantity: 5 });
    const first = await push('SO-1', q.earliestPromiseDate);
    expect(first.statusCode).toBe(201);
    return { id: first.json().id as string, promiseDate: q.earliestPromiseDate as string };
  };

  it('sales cannot push a material date as the ERP', async () => {
    const { promiseDate } = await pushedAtEarliest();
    const res = await push('SO-1', promiseDate, { materialAvailableDate: '2026-11-26' }, 'sales');
    expect(res.statusCode).toBe(403);
  });

  it('the material-late flag keeps its reason through later writes and time passing', async () => {
    const { id, promiseDate } = await pushedAtEarliest();
    expect((await push('SO-1', promiseDate, { materialAvailableDate: '2026-11-26' })).statusCode).toBe(200);
    // An unrelated order, then an hour later another write (the tick runs first).
    expect((await push('SO-2', '2026-12-10', { sku: 'D', quantity: 1 })).statusCode).toBe(201);
    t.clock.set('2026-11-23T10:00:00Z');
    expect((await push('SO-3', '2026-12-11', { sku: 'D', quantity: 1 })).statusCode).toBe(201);
    expect(await atRisk()).toEqual([expect.objectContaining({ orderId: id, reason: 'material-late' })]);
    await expectHonest('after later writes');
  });

  it('a cold process publishes the same order, plan and at-risk list after late material', async () => {
    const { id, promiseDate } = await pushedAtEarliest();
    expect((await push('SO-2', '2026-12-03', { sku: 'D', quantity: 2 })).statusCode).toBe(201);
    expect((await push('SO-1', promiseDate, { materialAvailableDate: '2026-11-26' })).statusCode).toBe(200);
    const warm = {
      order: await s.ok('GET', `orders/${id}`, 'planner'),
      plan: await s.ok('GET', `orders/${id}/plan`, 'planner'),
      schedule: await s.ok('GET', 'schedule', 'planner'),
      atRisk: await atRisk(),
    };
    const other = await buildSecondApp(t);
    try {
      const get = async (url: string) => (await other.inject({ method: 'GET', url: `${s.P}/${url}`, headers: t.as('planner') })).json();
      const cold = {
        order: await get(`orders/${id}`),
        plan: await get(`orders/${id}/plan`),
        schedule: await get('schedule'),
        atRisk: (await get('at-risk')).items,
      };
      expect(cold).toEqual(warm);
      // A write through the cold process: a quote there gives the same answer as here.
      const qCold = (
        await other.inject({ method: 'POST', url: `${s.P}/quotes`, headers: t.as('sales'), payload: { sku: 'H', quantity: 5 } })
      ).json();
      const qWarm = await s.ok('POST', 'quotes', 'sales', { sku: 'H', quantity: 5 });
      expect(qCold.earliestPromiseDate).toBe(qWarm.earliestPromiseDate);
    } finally {
      await other.close();
    }
  });

  it('late material then earlier again: the flag clears and the plan comes back to what it was', async () => {
    const { id, promiseDate } = await pushedAtEarliest();
    const before = await s.ok('GET', `orders/${id}/plan`, 'planner');
    const order0 = await s.ok('GET', `orders/${id}`, 'planner');
    expect((await push('SO-1', promiseDate, { materialAvailableDate: '2026-11-26' })).statusCode).toBe(200);
    const back = await push('SO-1', promiseDate, { materialAvailableDate: '2026-11-23' });
    expect(back.statusCode).toBe(200);
    expect(back.json()).toMatchObject({ atRisk: null, drumDeadline: order0.drumDeadline });
    expect((await s.ok('GET', `orders/${id}/plan`, 'planner')).operations).toEqual(before.operations);
    expect(await atRisk()).toEqual([]);
    await expectHonest('material back');
  });

  it('a planner re-promise to the date the late material allows clears the flag', async () => {
    const { id, promiseDate } = await pushedAtEarliest();
    const late = (await push('SO-1', promiseDate, { materialAvailableDate: '2026-11-26' })).json();
    const q = await s.ok('POST', 'quotes', 'planner', { sku: 'H', quantity: 5, materialAvailableDate: '2026-11-26' });
    const res = await s.call('POST', `orders/${id}/repromise`, 'planner', { promiseDate: q.earliestPromiseDate, reason: 'material late' });
    expect(res.statusCode, res.body).toBeLessThan(300);
    expect(await atRisk()).toEqual([]);
    expect(late.atRisk).not.toBeNull();
    await expectHonest('re-promised');
  });

  it('late material together with a new customer name is still a fact: recorded', async () => {
    const { id, promiseDate } = await pushedAtEarliest();
    const res = await push('SO-1', promiseDate, { materialAvailableDate: '2026-11-26', customer: 'E2' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id, customer: 'E2', atRisk: expect.objectContaining({ reason: 'material-late' }) });
    await expectHonest('customer and material');
  });

  it('the same late-material push with an Idempotency-Key twice answers the same, one version', async () => {
    const { promiseDate } = await pushedAtEarliest();
    const send = () =>
      t.app.inject({
        method: 'PUT',
        url: `${s.P}/orders/by-external-id/SO-1`,
        headers: { ...t.as('erp'), 'idempotency-key': 'k-1' },
        payload: { sku: 'H', quantity: 5, promiseDate, customer: 'E', materialAvailableDate: '2026-11-26' },
      });
    const a = await send();
    const b = await send();
    expect(a.statusCode).toBe(200);
    expect(b.statusCode).toBe(200);
    expect(b.json()).toEqual(a.json());
  });

  it('a material date far out (years, inside the planning horizon) is a fact too: recorded, at risk', async () => {
    const { id, promiseDate } = await pushedAtEarliest();
    const res = await push('SO-1', promiseDate, { materialAvailableDate: '2027-06-01' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ id, atRisk: expect.objectContaining({ reason: 'material-late' }) });
    await expectHonest('material years out');
  });

  it('a material date past the planning horizon is not refused as missing capacity (planners cannot buy material)', async () => {
    const { promiseDate } = await pushedAtEarliest();
    const res = await push('SO-1', promiseDate, { materialAvailableDate: '2035-06-04' });
    // Was (before 7572f4b): 409 no-capacity-within-horizon "a planner must add capacity". A field error (400 naming
    // body.materialAvailableDate, as every other date past the horizon) or the fact recorded would be honest.
    expect(res.json().type).not.toBe('https://drumbeat.dev/problems/no-capacity-within-horizon');
  });

  // Was a 500 before 7572f4b (the quote too); fixed on main while this review ran.
  it('an absurd material date (year 0001) is a 400 naming the field, not a 500', async () => {
    const { promiseDate } = await pushedAtEarliest();
    const res = await push('SO-1', promiseDate, { materialAvailableDate: '0001-01-01' });
    expect(res.statusCode, res.body).toBe(400);
    const q = await s.call('POST', 'quotes', 'sales', { sku: 'H', quantity: 5, materialAvailableDate: '0001-01-01' });
    expect(q.statusCode, q.body).toBe(400);
  });

  it('a cancelled order refuses a material push (409), nothing changes', async () => {
    const { id, promiseDate } = await pushedAtEarliest();
    expect((await s.call('POST', `orders/${id}/cancel`, 'planner', { reason: 'x' })).statusCode).toBe(200);
    const res = await push('SO-1', promiseDate, { materialAvailableDate: '2026-11-26' });
    expect(res.statusCode).toBe(409);
    expect(await atRisk()).toEqual([]);
  });

  it('late material on a released order: its plan never starts work before the stored material date, or the push is refused', async () => {
    const { id, promiseDate } = await pushedAtEarliest();
    expect((await s.call('POST', `orders/${id}/release`, 'planner', { reason: 'now' })).statusCode).toBe(200);
    const res = await push('SO-1', promiseDate, { materialAvailableDate: '2026-11-26' });
    // Was: 200, material Thursday stored, atRisk null, and the plan kept heat on Monday–Tuesday (before the material).
    // Now the fact is recorded and the work before the drum waits for the material: late, so at risk.
    expect(res.statusCode, res.body).toBe(200);
    const plan = await s.ok('GET', `orders/${id}/plan`, 'planner');
    const material = Date.parse(res.json().materialAvailableAt);
    expect(Date.parse(plan.operations[0].start)).toBeGreaterThanOrEqual(material);
    expect(res.json().atRisk).toMatchObject({ reason: 'material-late', resource: null });
    await expectHonest('released, late material');
  });

  it('material not yet there cannot be released (409); nothing changes', async () => {
    const { id, promiseDate } = await pushedAtEarliest();
    expect((await push('SO-1', promiseDate, { materialAvailableDate: '2026-11-26' })).statusCode).toBe(200);
    const before = await s.ok('GET', `orders/${id}`, 'planner');
    const res = await s.call('POST', `orders/${id}/release`, 'planner', { reason: 'now' });
    expect(res.statusCode, res.body).toBe(409);
    expect(res.json().materialAvailableAt).toBe('2026-11-25T23:00:00.000Z');
    expect(await s.ok('GET', `orders/${id}`, 'planner')).toEqual(before);
    // Thursday, the material is there: the release goes through.
    t.clock.set('2026-11-26T07:00:00Z');
    expect((await s.call('POST', `orders/${id}/release`, 'planner', { reason: 'now' })).statusCode).toBe(200);
  });

  it('a material date pushed for an order already running on the drum, alone on it, is recorded; its plan stays', async () => {
    await s.create();
    const q = await s.ok('POST', 'quotes', 'erp', { sku: 'D', quantity: 2 });
    const first = await push('SO-9', q.earliestPromiseDate, { sku: 'D', quantity: 2 });
    expect(first.statusCode).toBe(201);
    const id = first.json().id as string;
    expect((await s.call('POST', `orders/${id}/release`, 'planner', { reason: 'now' })).statusCode).toBe(200);
    expect((await s.call('POST', `orders/${id}/progress`, 'planner', { drumMinutesDone: 10 })).statusCode).toBe(200);
    const before = await s.ok('GET', `orders/${id}/plan`, 'planner');
    const res = await push('SO-9', q.earliestPromiseDate, { sku: 'D', quantity: 2, materialAvailableDate: '2026-11-26' });
    // Today: 409 schedule-infeasible "drum would need 1070 more minutes by the end of 2026-11-24 … earliest
    // 2026-11-27" for the only order in the plant, whose drum work is under way and ends today at 10:50.
    expect(res.statusCode, res.body).toBe(200);
    expect((await s.ok('GET', `orders/${id}/plan`, 'planner')).operations).toEqual(before.operations);
  });

  it('late material on one order among several moves no other order later, and a cold process agrees', async () => {
    await s.create();
    const ids: string[] = [];
    for (const [ext, sku, qty] of [
      ['A', 'H', 5],
      ['B', 'H', 4],
      ['C', 'D', 6],
      ['E', 'H', 3],
      ['F', 'D', 10],
    ] as const) {
      const q = await s.ok('POST', 'quotes', 'erp', { sku, quantity: qty });
      const r = await push(ext, q.earliestPromiseDate, { sku, quantity: qty });
      expect(r.statusCode, r.body).toBe(201);
      ids.push(r.json().id);
    }
    const plans = async (app = t.app) =>
      Object.fromEntries(
        await Promise.all(
          ids.map(async (id) => [
            id,
            (await app.inject({ method: 'GET', url: `${s.P}/orders/${id}/plan`, headers: t.as('planner') })).json(),
          ]),
        ),
      );
    const before = await plans();
    const a = await s.ok('GET', `orders/${ids[0]}`, 'planner');
    const res = await push('A', a.promiseDate, { materialAvailableDate: '2026-11-26' });
    expect(res.statusCode).toBe(200);
    const after = await plans();
    for (const id of ids.slice(1)) {
      const endOf = (p: { operations: { end: string }[] }) => Math.max(...p.operations.map((o) => Date.parse(o.end)));
      expect(endOf(after[id]), id).toBeLessThanOrEqual(endOf(before[id]));
    }
    await expectHonest('one late among several');
    const other = await buildSecondApp(t);
    try {
      expect(await plans(other)).toEqual(after);
    } finally {
      await other.close();
    }
    // Material back: A's flag clears, still honest.
    expect((await push('A', a.promiseDate)).statusCode).toBe(200);
    await expectHonest('material back among several');
  });

  it('two processes racing late-material pushes end in one stored answer both processes publish', async () => {
    const { id, promiseDate } = await pushedAtEarliest();
    const other = await buildSecondApp(t);
    try {
      const body = (m: string) => ({ sku: 'H', quantity: 5, promiseDate, customer: 'E', materialAvailableDate: m });
      const url = `${s.P}/orders/by-external-id/SO-1`;
      const [a, b, c] = await Promise.all([
        t.app.inject({ method: 'PUT', url, headers: t.as('erp'), payload: body('2026-11-26') }),
        other.inject({ method: 'PUT', url, headers: t.as('erp'), payload: body('2026-11-26') }),
        other.inject({ method: 'PUT', url, headers: t.as('erp'), payload: body('2026-11-27') }),
      ]);
      expect([a.statusCode, b.statusCode, c.statusCode]).toEqual([200, 200, 200]);
      const get = async (app: typeof other, u: string) =>
        (await app.inject({ method: 'GET', url: `${s.P}/${u}`, headers: t.as('planner') })).json();
      const here = { o: await get(t.app, `orders/${id}`), p: await get(t.app, `orders/${id}/plan`), r: await get(t.app, 'at-risk') };
      const there = { o: await get(other, `orders/${id}`), p: await get(other, `orders/${id}/plan`), r: await get(other, 'at-risk') };
      expect(there).toEqual(here);
      expect(here.o.atRisk).toMatchObject({ reason: 'material-late' });
      await expectHonest('after the race');
    } finally {
      await other.close();
    }
  });

  it('an order at risk from a breakdown whose material then comes late names the late material (no resource to buy)', async () => {
    const { id, promiseDate } = await pushedAtEarliest();
    const bd = await s.call('POST', 'breakdowns', 'planner', {
      resource: 'heat',
      start: '2026-11-23T08:00:00Z',
      expectedEnd: '2026-11-24T13:00:00Z',
      reason: 'x',
    });
    expect(bd.statusCode).toBe(201);
    expect(await atRisk()).toEqual([expect.objectContaining({ orderId: id, reason: 'breakdown' })]);
    const res = await push('SO-1', promiseDate, { materialAvailableDate: '2026-11-26' });
    expect(res.statusCode).toBe(200);
    // Today: still { reason: 'breakdown', resource: 'drum' } with a later projected finish: overtime on the drum cannot help.
    expect(res.json().atRisk).toMatchObject({ reason: 'material-late', resource: null });
  });
});

// A pinned order (frozen window, in progress) whose material comes late: DOMAIN.md "Facts and
// time" says a late release is a fact, recorded, never refused. The change keeps the commit's rule
// for pinned orders (guardPinned): the push is refused, the stored material date stays the old one,
// and the published plan keeps working the order before its material is there.
describe.each(kinds)('review: late material on a frozen order on %s', (kind) => {
  let t: TestApp;
  let plants = 0;
  beforeAll(async () => {
    t = await buildTestApp({ kind, now: '2026-11-23T08:00:00Z' });
  });
  afterAll(async () => t.close());

  async function newPlant() {
    const plant = `rv2pin-${kind}-${++plants}`;
    await seedPlant(t, plant, { productionBufferDays: 4, shippingBufferDays: 2, standardLeadTimeDays: 2, frozenWindowMinutes: 240 });
    for (const [sku, productionBufferDays] of Object.entries({ P2: 2, P4: 4 })) {
      const res = await t.app.inject({
        method: 'PUT',
        url: `/v1/plants/${plant}/products/${sku}`,
        headers: t.as('admin'),
        payload: { name: sku, routing: [{ resource: 'cnc', setupMinutes: 30, runMinutesPerUnit: 10 }], productionBufferDays },
      });
      expect(res.statusCode).toBe(201);
    }
    return plant;
  }
  const push = (plant: string, externalId: string, sku: string, promiseDate: string, extra: object = {}) =>
    t.app.inject({
      method: 'PUT',
      url: `/v1/plants/${plant}/orders/by-external-id/${externalId}`,
      headers: t.as('erp'),
      payload: { sku, quantity: 20, promiseDate, customer: externalId, ...extra },
    });

  it('late material on a frozen order is recorded as a fact (not refused), the order(s) it makes late at risk', async () => {
    const plant = await newPlant();
    expect((await push(plant, 'X', 'P4', '2026-11-27')).statusCode).toBe(201);
    expect((await push(plant, 'Z', 'P2', '2026-11-25')).statusCode).toBe(201);
    const late = await push(plant, 'X', 'P4', '2026-11-27', { materialAvailableDate: '2026-11-26' });
    // Today: 409 schedule-infeasible; the ERP retries a fact forever, the plan of X still starts Monday.
    expect(late.statusCode).toBe(200);
    expect(late.json().materialAvailableAt).toBe('2026-11-25T23:00:00.000Z');
  });
});

// Change 1 over HTTP: an order at risk after a drum breakdown is expedited (released, drum
// progress: pinned in progress); the breakdown then ends early, the tick lowers D̂ of the pinned
// order too. The published plans must be honest, the flags cleared, and a cold process equal.
describe.each(kinds)('review: a pinned order at risk recovers after a breakdown ends, on %s', (kind) => {
  let t: TestApp;
  const s = routePlantSession(() => t, `rv2pinrec-${kind}`);
  beforeAll(async () => {
    t = await buildTestApp({ now: NOW, kind });
  });
  beforeEach(() => t.clock.set(NOW));
  afterAll(async () => t.close());

  it('flags clear, plans honest, a cold process publishes the same', async () => {
    await s.create();
    const ids: string[] = [];
    for (const c of ['x', 'y', 'z']) {
      const q = await s.ok('POST', 'quotes', 'sales', { sku: 'D', quantity: 8 });
      ids.push((await s.ok('POST', 'orders', 'sales', { sku: 'D', quantity: 8, promiseDate: q.earliestPromiseDate, customer: c })).id);
    }
    const bd = await s.ok('POST', 'breakdowns', 'planner', {
      resource: 'drum',
      start: '2026-11-23T08:00:00Z',
      expectedEnd: '2026-11-25T21:00:00Z',
      reason: 'spindle',
    });
    const risky = (await s.ok('GET', 'at-risk', 'planner')).items.map((r: { orderId: string }) => r.orderId) as string[];
    expect(risky.length).toBeGreaterThan(0);
    // The floor expedites the last order at risk: released, on the drum (pinned in progress).
    const y = risky.at(-1)!;
    await s.ok('POST', `orders/${y}/release`, 'planner', { reason: 'expedite' });
    await s.ok('POST', `orders/${y}/progress`, 'planner', { drumMinutesDone: 10 });
    // The drum is back at 09:30.
    t.clock.set('2026-11-23T08:30:00Z');
    await s.ok('PATCH', `breakdowns/${bd.breakdown.id}`, 'planner', { endedAt: '2026-11-23T08:30:00Z' });
    t.clock.set('2026-11-23T09:30:00Z');
    // Any write runs the tick first.
    await s.ok('POST', 'orders', 'sales', {
      sku: 'D',
      quantity: 1,
      promiseDate: (await s.ok('POST', 'quotes', 'sales', { sku: 'D', quantity: 1 })).earliestPromiseDate,
      customer: 'w',
    });
    s.calendars.drum = { ...twoShifts, exceptions: [{ date: '2026-11-23', kind: 'downtime', start: '09:00', end: '10:30' }] };
    const warm = {
      orders: await Promise.all(ids.map((id) => s.ok('GET', `orders/${id}`, 'planner'))),
      plans: await Promise.all(ids.map((id) => s.ok('GET', `orders/${id}/plan`, 'planner'))),
      atRisk: (await s.ok('GET', 'at-risk', 'planner')).items,
    };
    // The expedited order is on the drum, on time again: no longer at risk.
    expect(warm.orders.find((o: { id: string }) => o.id === y)).toMatchObject({ status: 'in_progress', atRisk: null });
    expect(warm.atRisk.map((r: { orderId: string }) => r.orderId)).not.toContain(y);
    const other = await buildSecondApp(t);
    try {
      const get = async (url: string) => (await other.inject({ method: 'GET', url: `${s.P}/${url}`, headers: t.as('planner') })).json();
      const cold = {
        orders: await Promise.all(ids.map((id) => get(`orders/${id}`))),
        plans: await Promise.all(ids.map((id) => get(`orders/${id}/plan`))),
        atRisk: (await get('at-risk')).items,
      };
      expect(cold).toEqual(warm);
    } finally {
      await other.close();
    }
    const a = await auditPlant(t, s.P.split('/').pop()!, s.calendars, { sweep: false });
    expect(a.describe()).toBe('');
  });
  // Found on the way (main's breakdown close, not change 1): x, y, z are D×8 (480 drum minutes each)
  // promised Wednesday; the drum breaks at 09:00 local until Wednesday 22:00 (all three at risk),
  // and is closed at 10:30 local the same Monday: 690 + 960 drum minutes before Wednesday for 1 440.
  async function closedEarly() {
    await s.create();
    const ids: string[] = [];
    for (const c of ['x', 'y', 'z']) {
      const q = await s.ok('POST', 'quotes', 'sales', { sku: 'D', quantity: 8 });
      expect(q.earliestPromiseDate).toBe('2026-11-25');
      ids.push((await s.ok('POST', 'orders', 'sales', { sku: 'D', quantity: 8, promiseDate: q.earliestPromiseDate, customer: c })).id);
    }
    const bd = await s.ok('POST', 'breakdowns', 'planner', {
      resource: 'drum',
      start: '2026-11-23T08:00:00Z',
      expectedEnd: '2026-11-25T21:00:00Z',
      reason: 'spindle',
    });
    expect((await s.ok('GET', 'at-risk', 'planner')).items).toHaveLength(3);
    t.clock.set('2026-11-23T09:30:00Z');
    await s.ok('PATCH', `breakdowns/${bd.breakdown.id}`, 'planner', { endedAt: '2026-11-23T09:30:00Z' });
    const plans = await Promise.all(ids.map((id) => s.ok('GET', `orders/${id}/plan`, 'planner')));
    const atRisk = (await s.ok('GET', 'at-risk', 'planner')).items as { orderId: string; lateByMinutes: number }[];
    return { ids, plans, atRisk };
  }

  // Fixed (src/domain/planning/recover-at-risk.ts, called by the breakdown's re-plan). Was: x (plan Monday 10:30–18:30 local) and y (Monday 18:30–Tuesday 10:30) are still listed at
  // risk 870 and 1 350 minutes late in the close's version, with their old projections; only the
  // next unrelated write clears them.
  it('closing a breakdown early clears, in its own version, the flags of orders whose plans are on time again', async () => {
    const { ids, plans, atRisk } = await closedEarly();
    expect(plans[0].late).toBe(false);
    expect(plans[1].late).toBe(false);
    expect(atRisk.map((r) => r.orderId)).not.toContain(ids[0]);
    expect(atRisk.map((r) => r.orderId)).not.toContain(ids[1]);
  });

  // Fixed (recover-at-risk.ts). Was: z stays planned (and released by the rope) Thursday 06:00–14:00 local while the drum is
  // idle from Tuesday 10:30: capacity came back, its plan did not, and the floor will start it late.
  it('closing a breakdown early brings back an order it made late when the drum can keep it again', async () => {
    const { ids, plans } = await closedEarly();
    expect(plans[2].late, JSON.stringify(plans[2].operations)).toBe(false);
    expect(ids).toHaveLength(3);
  });
});

// Change 2 (rshift, merged into main while this review ran): capacity lost off the drum is
// absorbed by a right-shift. Attacked as a planner on the route plant (heat Mon–Thu → drum → test).
describe.each(kinds)('review: right-shift of capacity lost off the drum on %s', (kind) => {
  let t: TestApp;
  const s = routePlantSession(() => t, `rv2rs-${kind}`);
  beforeAll(async () => {
    t = await buildTestApp({ now: NOW, kind });
  });
  beforeEach(() => t.clock.set(NOW));
  afterAll(async () => t.close());

  const plantId = () => s.P.split('/').pop()!;
  const expectHonest = async (step: string) => {
    const a = await auditPlant(t, plantId(), s.calendars, { sweep: false });
    expect(a.describe(), step).toBe('');
  };
  /** n orders of H×q, each at its earliest date. */
  const atEarliest = async (n: number, q: number) => {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const quote = await s.ok('POST', 'quotes', 'sales', { sku: 'H', quantity: q });
      ids.push(
        (await s.ok('POST', 'orders', 'sales', { sku: 'H', quantity: q, promiseDate: quote.earliestPromiseDate, customer: `c${i}` })).id,
      );
    }
    return ids;
  };

  // Fixed (was: the preview listed 3 orders late, the write's 409 said "would make 1 committed
  // order(s) late … re-promise them first" with lateOrders [] and one id in ordersLosingCapacity):
  // acceptRepromises refuses with the preview's own list unless the request re-promises each.
  it('a planned heat downtime that makes orders late is refused naming the orders the preview named; nothing stored', async () => {
    await s.create();
    await atEarliest(3, 5);
    const before = await s.ok('GET', 'schedule', 'planner');
    const downtime = { resource: 'heat', kind: 'downtime', date: '2026-11-24', start: '06:00', end: '14:00', reason: 'maintenance' };
    const preview = await s.ok('POST', 'capacity-changes?preview=true', 'planner', downtime);
    expect(preview.late.length).toBeGreaterThan(0);
    const write = await s.call('POST', 'capacity-changes', 'planner', downtime);
    expect(write.statusCode).toBe(409);
    const named = (write.json().lateOrders as { orderId: string }[]).map((l) => l.orderId).sort();
    expect(named).toEqual((preview.late as { orderId: string }[]).map((l) => l.orderId).sort());
    expect({ ...(await s.ok('GET', 'schedule', 'planner')), scheduleVersion: 0 }).toEqual({ ...before, scheduleVersion: 0 });
  });

  // Fixed (recover-at-risk.ts). Was: 90 heat minutes lost on Monday, yet after the close all three stay right-shifted (heat
  // Wednesday, Thursday, next Monday), at risk 'breakdown' (resource 'drum'), the last 4 695 minutes late
  // and released by the rope on Monday 30th; their plans were on time before and fit again.
  it('a heat breakdown closed early: the plans it right-shifted come back, flags clear, honest', async () => {
    await s.create();
    const ids = await atEarliest(3, 5);
    const plansBefore = await Promise.all(ids.map((id) => s.ok('GET', `orders/${id}/plan`, 'planner')));
    const bd = await s.ok('POST', 'breakdowns', 'planner', {
      resource: 'heat',
      start: '2026-11-23T08:00:00Z',
      expectedEnd: '2026-11-24T13:00:00Z',
      reason: 'burner',
    });
    expect(bd.lateOrders.length).toBeGreaterThan(0);
    t.clock.set('2026-11-23T09:30:00Z');
    await s.ok('PATCH', `breakdowns/${bd.breakdown.id}`, 'planner', { endedAt: '2026-11-23T09:30:00Z' });
    s.calendars.heat = { ...s.calendars.heat!, exceptions: [{ kind: 'downtime', date: '2026-11-23', start: '09:00', end: '10:30' }] };
    await expectHonest('closed early');
    const plans = await Promise.all(ids.map((id) => s.ok('GET', `orders/${id}/plan`, 'planner')));
    const atRisk = (await s.ok('GET', 'at-risk', 'planner')).items as { orderId: string }[];
    // 90 heat minutes lost on Monday: every order that was on time before is on time again.
    expect(
      plans.map((p) => p.late),
      JSON.stringify({ before: plansBefore.map((p) => p.operations), after: plans.map((p) => p.operations) }),
    ).toEqual(plansBefore.map((p) => p.late));
    expect(atRisk).toEqual([]);
  });

  // Fixed (was: both orders' plans moved, but the version's only event, capacity.changed, said moved: 0
  // and named no order): capacity.changed carries `replanned`, the orders whose plans the change moved.
  it('a heat downtime that only right-shifts: preview = write, honest, and the version names the orders it moved', async () => {
    await s.create();
    const ids = await atEarliest(2, 3);
    await s.ok('POST', `orders/${ids[0]}/release`, 'planner', { reason: 'start' });
    const plans = async () => Promise.all(ids.map((id) => s.ok('GET', `orders/${id}/plan`, 'planner')));
    const before = await plans();
    const downtime = { resource: 'heat', kind: 'downtime', date: '2026-11-23', start: '11:00', end: '12:00', reason: 'check' };
    const preview = await s.ok('POST', 'capacity-changes?preview=true', 'planner', downtime);
    const write = await s.call('POST', 'capacity-changes', 'planner', downtime);
    expect(write.statusCode, write.body).toBe(preview.late.length === 0 ? 201 : 409);
    if (write.statusCode !== 201) return;
    s.calendars.heat = { ...s.calendars.heat!, exceptions: [{ kind: 'downtime', date: '2026-11-23', start: '11:00', end: '12:00' }] };
    await expectHonest('right-shifted');
    const after = await plans();
    const changed = ids.filter((_, i) => JSON.stringify(after[i].operations) !== JSON.stringify(before[i].operations)).sort();
    // The answers agree (moved: drum moves only); the version's events name the orders the repair moved.
    expect({ moved: write.json().moved, late: write.json().late }).toEqual({ moved: preview.moved, late: preview.late });
    const evs = (await s.ok('GET', 'events?limit=1000', 'planner')).items as { scheduleVersion: number; type: string; data: unknown }[];
    const text = JSON.stringify(evs.filter((e) => e.scheduleVersion === write.json().scheduleVersion));
    for (const id of changed) expect(text, `event names ${id}`).toContain(id);
  });

  it('a heat downtime revoked: capacity returns and every plan is honest again; a cold process agrees', async () => {
    await s.create();
    const ids = await atEarliest(2, 4);
    const downtime = { resource: 'heat', kind: 'downtime', date: '2026-11-23', start: '10:00', end: '11:00', reason: 'check' };
    const write = await s.call('POST', 'capacity-changes', 'planner', downtime);
    expect([201, 409]).toContain(write.statusCode);
    if (write.statusCode === 201) {
      s.calendars.heat = { ...s.calendars.heat!, exceptions: [{ kind: 'downtime', date: '2026-11-23', start: '10:00', end: '11:00' }] };
      await expectHonest('downtime');
      const id = (write.json().id ?? write.json().change?.id) as string;
      const rv = await s.call('DELETE', `capacity-changes/${id}`, 'planner', {});
      expect(rv.statusCode, rv.body).toBeLessThan(300);
      s.calendars.heat = { ...s.calendars.heat!, exceptions: [] };
      await expectHonest('revoked');
    }
    const other = await buildSecondApp(t);
    try {
      for (const id of ids) {
        const cold = (await other.inject({ method: 'GET', url: `${s.P}/orders/${id}/plan`, headers: t.as('planner') })).json();
        expect(cold).toEqual(await s.ok('GET', `orders/${id}/plan`, 'planner'));
      }
    } finally {
      await other.close();
    }
  });
});
