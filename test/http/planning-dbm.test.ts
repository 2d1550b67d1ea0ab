import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { seedPlant } from '../helpers/builders.ts';
import { client, databaseKinds } from '../helpers/planning.ts';

// PB 4 working days, so a replenishment period is 4 working days and DBM looks back 8.
// Judged on Monday 2026-12-07 09:00 Berlin: the window starts Wednesday 11-25, the second period Tuesday 12-01.
describe.each(databaseKinds())('dynamic buffer management on %s', (kind) => {
  let t: TestApp;
  const red = client(() => t, 'plant-1');
  const green = client(() => t, 'plant-2');
  const few = client(() => t, 'plant-3');
  // A copy of plant-1's history for the test that applies a suggestion (and so changes it).
  const redToApply = client(() => t, 'plant-4');
  const JUDGED = '2026-12-07T08:00:00Z';

  const complete = async (c: ReturnType<typeof client>, ids: string[], instant: string) => {
    t.clock.set(instant);
    for (const id of ids) expect((await c.call('POST', `orders/${id}/complete`, 'erp')).statusCode).toBe(200);
  };
  const orders = async (c: ReturnType<typeof client>, n: number, promiseDate: string) => {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) ids.push((await c.order({ quantity: 1, promiseDate })).id);
    for (const id of ids) expect((await c.call('POST', `orders/${id}/release`, 'planner')).statusCode).toBe(200);
    return ids;
  };
  const suggestion = async (c: ReturnType<typeof client>) => {
    const res = await c.call('GET', 'buffer-suggestions', 'planner');
    expect(res.statusCode).toBe(200);
    return res.json().items.find((i: { sku: string | null }) => i.sku === null);
  };

  // The histories are built once, before any test, and each test sets the clock it judges at.
  beforeAll(async () => {
    t = await buildTestApp({ now: '2026-11-23T08:00:00Z', kind });
    for (const p of ['plant-1', 'plant-2', 'plant-3', 'plant-4']) await seedPlant(t, p);
    // plant-1 (and plant-4) finish a third in red, plant-2 all green across both periods, plant-3 too few.
    const r = await orders(red, 6, '2026-12-04');
    const a = await orders(redToApply, 6, '2026-12-04');
    const g = await orders(green, 6, '2026-12-18');
    const f = await orders(few, 2, '2026-12-18');
    await complete(green, g.slice(0, 3), '2026-11-26T08:00:00Z');
    await complete(red, r.slice(0, 4), '2026-11-30T08:00:00Z'); // more than the buffer left: 0 %, green
    await complete(redToApply, a.slice(0, 4), '2026-11-30T08:00:00Z');
    await complete(few, f, '2026-11-30T08:00:00Z');
    await complete(green, g.slice(3), '2026-12-02T08:00:00Z');
    await complete(red, r.slice(4), '2026-12-04T11:00:00Z'); // Friday 12:00 Berlin: 600 of 3840 left, 84 % red
    await complete(redToApply, a.slice(4), '2026-12-04T11:00:00Z');
  });
  afterAll(async () => t.close());
  beforeEach(() => t.clock.set(JUDGED));

  it('suggests growing the buffer by a third when red is too frequent', async () => {
    expect(await suggestion(red)).toMatchObject({
      currentDays: 4,
      suggestedDays: 5,
      direction: 'grow',
      completed: 6,
      zones: { green: 4, yellow: 0, red: 2, black: 0 },
      window: { from: '2026-11-25', to: '2026-12-07' },
      coolingUntil: null,
      // SB 2: DBM keeps PB between 2 and 6 days; every completion was promised under PB 4.
      bounds: { minDays: 2, maxDays: 6 },
      excluded: 0,
      // Orders promised after the change are released 5 working days before their promise.
      ropeChange: { from: 4, to: 5 },
      // The preview: the products without their own buffer (both) get max(LT 2, PB 5) = 5.
      effectiveLeadTimeChanges: [
        { sku: 'P1', from: 4, to: 5 },
        { sku: 'SAWN', from: 4, to: 5 },
      ],
    });
  });

  it('suggests shrinking it by a third when green persists for two replenishment periods', async () => {
    expect(await suggestion(green)).toMatchObject({
      currentDays: 4,
      suggestedDays: 3,
      direction: 'shrink',
      completed: 6,
      zones: { green: 6 },
      // max(LT 2, PB 3): a shrink shortens the lead time the buffer was holding up.
      effectiveLeadTimeChanges: [
        { sku: 'P1', from: 4, to: 3 },
        { sku: 'SAWN', from: 4, to: 3 },
      ],
    });
  });

  it('suggests nothing from too few completions', async () => {
    expect(await suggestion(few)).toMatchObject({ suggestedDays: null, direction: null, completed: 2, effectiveLeadTimeChanges: [] });
  });

  it('applies a suggestion as a reschedule, then cools down for one replenishment time', async () => {
    expect((await redToApply.call('POST', 'buffer-suggestions/apply', 'sales', { productionBufferDays: 5 })).statusCode).toBe(403);
    expect((await redToApply.call('POST', 'buffer-suggestions/apply', 'planner', { productionBufferDays: 6 })).statusCode).toBe(409);
    const before = await redToApply.order({ quantity: 1, promiseDate: '2026-12-18' });
    const v = await redToApply.version();
    const applied = await redToApply.call('POST', 'buffer-suggestions/apply', 'planner', { productionBufferDays: 5 });
    expect(applied.statusCode).toBe(200);
    const raised = [
      { sku: 'P1', from: 4, to: 5 },
      { sku: 'SAWN', from: 4, to: 5 },
    ];
    expect(applied.json()).toMatchObject({
      sku: null,
      from: 4,
      to: 5,
      direction: 'grow',
      scheduleVersion: v + 1,
      effectiveLeadTimeChanges: raised,
      ropeChange: { from: 4, to: 5 },
    });
    expect((await redToApply.call('GET', 'buffer-policy', 'planner')).json()).toMatchObject({
      productionBufferDays: 5,
      effectiveLeadTimeDays: 5,
    });
    expect((await redToApply.events()).at(-1)).toMatchObject({
      type: 'buffer.changed',
      scheduleVersion: v + 1,
      data: { from: 4, to: 5, evidence: { completed: 6 }, effectiveLeadTimeChanges: raised, ropeChange: { from: 4, to: 5 } },
    });
    // The rope moved with the lead time: a new order is released 5 working days before its
    // promise (Friday 12-18 → Friday 12-11); the one promised before keeps its 4 (Monday 12-14).
    const after = await redToApply.order({ quantity: 1, promiseDate: '2026-12-18' });
    const ropes = new Map(
      ((await redToApply.call('GET', 'schedule', 'planner')).json().orders as { id: string; releaseDate: string }[]).map((o) => [
        o.id,
        o.releaseDate,
      ]),
    );
    expect([ropes.get(after.id), ropes.get(before.id)]).toEqual(['2026-12-11', '2026-12-14']);
    // New quotes are floored at the raised lead time: Monday 12-07 + 5 working days.
    expect((await redToApply.call('POST', 'quotes', 'sales', { sku: 'P1', quantity: 1 })).json()).toMatchObject({
      earliestPromiseDate: '2026-12-14',
      bindingLimit: 'lead-time-floor',
    });
    // Cooling: five working days (the new buffer) after Monday 12-07.
    expect(await suggestion(redToApply)).toMatchObject({ currentDays: 5, suggestedDays: null, coolingUntil: '2026-12-14' });
    expect((await redToApply.call('POST', 'buffer-suggestions/apply', 'planner', { productionBufferDays: 5 })).statusCode).toBe(409);
    t.clock.set('2026-12-15T08:00:00Z');
    expect(await suggestion(redToApply)).toMatchObject({ coolingUntil: null, completed: 0, suggestedDays: null });
  });
});
