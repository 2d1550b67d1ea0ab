import { beforeEach, describe, expect, it } from 'vitest';
import { buildSecondApp, type TestApp } from '../helpers/app.ts';
import { databaseKinds, type client } from '../helpers/planning.ts';
import { SCENARIO_POLICY as POLICY, scenarioPlant } from '../helpers/scenario-plant.ts';

// The plant of scenarioPlant: Monday 2026-11-23 09:00 Europe/Berlin, drum "cnc" 06:00–22:00
// Mon–Fri (780 minutes left today), P1 = 30 + 10 × qty drum minutes; PB 2, SB 2, LT 2.
const REPROMISE_TO = '2026-12-11';

describe.each(databaseKinds())('what-if scenarios on %s', (kind) => {
  const { plant, seedOrders } = scenarioPlant(kind, 'scen');
  let t: TestApp;
  let c: ReturnType<typeof client>;
  beforeEach(() => {
    ({ t, c } = plant);
  });

  const create = async (body: unknown, role: 'planner' | 'admin' | 'sales' = 'planner', headers: Record<string, string> = {}) =>
    c.call('POST', 'scenarios', role, body, headers);
  const evaluation = async (id: string) => {
    const res = await c.call('GET', `scenarios/${id}/evaluation`, 'planner');
    expect(res.statusCode).toBe(200);
    return res.json();
  };
  /** Each open order's last planned operation end (its planned finish), from GET …/plan. */
  const finishes = async () => {
    const res = await c.call('GET', 'plan', 'planner');
    expect(res.statusCode).toBe(200);
    const items = res.json().orders as { orderId: string; late: boolean; operations: { end: string | null }[] }[];
    return new Map(items.map((p) => [p.orderId, { finish: p.operations.at(-1)?.end ?? null, late: p.late }]));
  };
  const downtime = { resource: 'cnc', kind: 'downtime', date: '2026-12-01', reason: 'maintenance' };
  const saturday = { resource: 'cnc', kind: 'extra_shift', date: '2026-11-28', start: '06:00', end: '14:00', reason: 'Saturday shift' };

  it('evaluates without touching the live plan, and predicts exactly what the same operations do when applied live', async () => {
    const orders = await seedOrders();
    const ops = [
      { type: 'capacity-change', change: downtime },
      { type: 'repromise', orderId: orders[2]!.id, promiseDate: REPROMISE_TO, reason: 'customer asked' },
      { type: 'capacity-change', change: saturday },
    ];
    const created = await create({ name: 'December', operations: ops });
    expect(created.statusCode).toBe(201);
    const id = created.json().id as string;

    const version = await c.version();
    const schedule = (await c.call('GET', 'schedule', 'planner')).body;
    const plan = (await c.call('GET', 'plan', 'planner')).body;
    const events = await c.events();
    const before = await finishes();

    const ev = await evaluation(id);
    expect(ev.scheduleVersion).toBe(version);
    expect(ev.operations.map((o: { applied: boolean }) => o.applied)).toEqual([true, true, true]);
    expect(ev.ordersMadeLate).toEqual([]);
    // Nothing live moved: version, schedule, plan, events, capacity changes.
    expect(await c.version()).toBe(version);
    expect((await c.call('GET', 'schedule', 'planner')).body).toBe(schedule);
    expect((await c.call('GET', 'plan', 'planner')).body).toBe(plan);
    expect(await c.events()).toEqual(events);
    expect((await c.call('GET', 'capacity-changes', 'planner')).json().items).toEqual([]);

    // The load compares live and scenario: the downtime takes 960 drum minutes of capacity, the Saturday adds 480.
    const cnc = ev.load.find((r: { resource: string }) => r.resource === 'cnc');
    const week = (w: string) => cnc.weeks.find((x: { week: string }) => x.week === w);
    expect(week('2026-11-23').scenario.capacityMinutes - week('2026-11-23').live.capacityMinutes).toBe(480);
    expect(week('2026-11-30').scenario.capacityMinutes - week('2026-11-30').live.capacityMinutes).toBe(-960);
    expect(ev.kpis.scenario.capacityCost).toBeGreaterThan(ev.kpis.live.capacityCost);
    expect(ev.kpis.live.openPromises).toBe(4);

    // The same operations applied live, one request each.
    expect((await c.call('POST', 'capacity-changes', 'planner', downtime)).statusCode).toBe(201);
    const rp = await c.call('POST', `orders/${orders[2]!.id}/repromise`, 'planner', {
      promiseDate: REPROMISE_TO,
      reason: 'customer asked',
    });
    expect(rp.statusCode).toBe(200);
    expect((await c.call('POST', 'capacity-changes', 'planner', saturday)).statusCode).toBe(201);
    const after = await finishes();

    const predicted = new Map(before);
    for (const m of ev.ordersMoved) predicted.set(m.orderId, { ...predicted.get(m.orderId)!, finish: m.plannedFinish.scenario });
    expect(ev.ordersMovedCount).toBe(ev.ordersMoved.length);
    expect(ev.ordersMoved.length).toBeGreaterThan(0);
    for (const [orderId, p] of after) expect({ orderId, finish: p.finish }).toEqual({ orderId, finish: predicted.get(orderId)!.finish });
    expect([...after.values()].filter((p) => p.late)).toEqual([]);
  });

  it('a second process on the same database sees the same live plan after an evaluation, and evaluates the same', async () => {
    const orders = await seedOrders();
    const other = await buildSecondApp(t);
    try {
      const get = async (url: string) => (await other.inject({ method: 'GET', url: `${c.P}/${url}`, headers: t.as('planner') })).body;
      const schedule = await get('schedule');
      const ops = [
        { type: 'capacity-change', change: downtime },
        { type: 'repromise', orderId: orders[1]!.id, promiseDate: REPROMISE_TO, reason: 'customer asked' },
        { type: 'hypothetical-order', sku: 'P1', quantity: 50 },
      ];
      const id = (await create({ name: 'Shared', operations: ops })).json().id;
      const here = await evaluation(id);
      expect(await get('schedule')).toBe(schedule);
      expect(JSON.parse(await get('plan')).orders).toHaveLength(4);
      const there = JSON.parse(await get(`scenarios/${id}/evaluation`));
      expect(there).toEqual(here);
      expect(await get('schedule')).toBe(schedule);
    } finally {
      await other.close();
    }
  });

  it('applies a reduction that would make orders late in the what-if and lists them; promotion still refuses it with 409 naming it', async () => {
    const orders = [...(await seedOrders()), await c.order({ quantity: 250, promiseDate: '2026-12-01' })];
    // 3460 drum minutes due by Friday 11-27 (4620 of capacity): one holiday leaves 3660, a second 2700.
    const ops = ['2026-11-24', '2026-11-25', '2026-11-26'].map((date) => ({
      type: 'capacity-change',
      change: { resource: 'cnc', kind: 'holiday', date, reason: 'closed' },
    }));
    const id = (await create({ name: 'Closed', operations: [...ops, { type: 'capacity-change', change: saturday }] })).json().id;
    const version = await c.version();
    const ev = await evaluation(id);
    expect(ev.operations.map((o: { applied: boolean }) => o.applied)).toEqual([true, true, true, true]);
    expect(ev.operations.map((o: { refusedLive: boolean }) => o.refusedLive)).toEqual([false, true, true, false]);
    const second = ev.operations[1];
    // The refusal the live request answers, and the orders the what-if made late.
    expect(second.problem.type).toBe('schedule-infeasible');
    expect(second.note).toMatch(/refused/);
    const madeLate = second.effect.ordersMadeLate as { orderId: string; promiseDate: string; earliestPromiseDate: string }[];
    expect(madeLate.length).toBeGreaterThan(0);
    for (const l of madeLate) {
      expect(orders.map((o) => o.id)).toContain(l.orderId);
      expect(l.earliestPromiseDate > l.promiseDate).toBe(true);
    }
    // The comparison with the live plan lists them as made late.
    const listed = ev.ordersMadeLate.map((l: { orderId: string }) => l.orderId);
    for (const l of madeLate) expect(listed).toContain(l.orderId);
    expect(ev.kpis.scenario.keepablePromises).toBeLessThan(ev.kpis.live.keepablePromises);

    // Live rules unchanged: the same holidays one request each refuse the second, and promotion names it.
    const promoted = await c.call('POST', `scenarios/${id}/promote`, 'planner');
    expect(promoted.statusCode).toBe(409);
    expect(promoted.json()).toMatchObject({
      type: 'https://drumbeat.dev/problems/scenario-operation-failed',
      operationIndex: 1,
      operationType: 'capacity-change',
      problem: { type: 'schedule-infeasible' },
    });
    expect(await c.version()).toBe(version);
    expect((await c.call('GET', 'capacity-changes', 'planner')).json().items).toEqual([]);
    expect((await c.call('POST', 'capacity-changes', 'planner', ops[0]!.change)).statusCode).toBe(201);
    expect((await c.call('POST', 'capacity-changes', 'planner', ops[1]!.change)).statusCode).toBe(409);
  });

  it('applies a ranged reduction that would make orders late in the what-if too; promotion refuses it', async () => {
    const orders = [...(await seedOrders()), await c.order({ quantity: 250, promiseDate: '2026-12-01' })];
    const closed = { resource: 'cnc', kind: 'holiday', from: '2026-11-24', to: '2026-11-26', reason: 'closed' };
    const id = (await create({ name: 'Closed week', operations: [{ type: 'capacity-change', change: closed }] })).json().id;
    const ev = await evaluation(id);
    expect(ev.operations[0]).toMatchObject({ applied: true, refusedLive: true, problem: { type: 'schedule-infeasible' } });
    const madeLate = (ev.operations[0].effect.ordersMadeLate as { orderId: string }[]).map((l) => l.orderId);
    expect(madeLate.length).toBeGreaterThan(0);
    for (const orderId of madeLate) expect(orders.map((o) => o.id)).toContain(orderId);
    expect(ev.ordersMadeLate.map((l: { orderId: string }) => l.orderId).sort()).toEqual([...madeLate].sort());
    const promoted = await c.call('POST', `scenarios/${id}/promote`, 'planner');
    expect(promoted.statusCode).toBe(409);
    expect(promoted.json()).toMatchObject({ operationIndex: 0, problem: { type: 'schedule-infeasible' } });
    expect((await c.call('POST', 'capacity-changes', 'planner', closed)).statusCode).toBe(409);
  });

  it('prices added capacity as proposals do: the working minutes each change adds on the calendar, by kind', async () => {
    const policy = await c.call('PUT', 'capacity-policy', 'planner', {
      currency: 'EUR',
      defaults: { overtime: { costPerHour: 60 }, extraShift: { costPerHour: 100 } },
    });
    expect(policy.statusCode).toBe(200);
    const change = (kind: string, date: string, start?: string, end?: string) => ({
      type: 'capacity-change',
      change: { resource: 'cnc', kind, date, ...(start ? { start, end } : {}), reason: 'what if' },
    });
    const ops = [
      // cnc works until 22:00: 2 of these 4 hours are new
      change('overtime', '2026-11-24', '20:00', '24:00'),
      // a rest day: 8 new hours
      change('extra_shift', '2026-11-28', '06:00', '14:00'),
      // the Saturday shift already covers 10:00–14:00: 2 new hours
      change('overtime', '2026-11-28', '10:00', '16:00'),
      // downtime cancels the overtime of its day: nothing new
      change('downtime', '2026-12-01'),
      change('overtime', '2026-12-01', '18:00', '24:00'),
    ];
    const id = (await create({ name: 'Priced', operations: ops })).json().id;
    const ev = await evaluation(id);
    expect(ev.operations.every((o: { applied: boolean }) => o.applied)).toBe(true);
    expect(ev.kpis.live).toMatchObject({ capacityCost: 0, currency: 'EUR' });
    expect(ev.kpis.scenario.capacityCost).toBe(2 * 60 + 8 * 100 + 2 * 60);
  });

  it('places hypothetical orders inside the scenario only: no order, event, KPI or cap sees them', async () => {
    await seedOrders();
    // Sales may hold at most 1000 drum minutes at once; the hypothetical orders (3030 and 130 minutes) take none of it.
    const put = await c.call('PUT', 'buffer-policy', 'admin', { ...POLICY, holdCapDrumMinutes: 1000 });
    expect(put.statusCode).toBe(200);
    const version = await c.version();
    const events = await c.events();
    const ordersBefore = (await c.call('GET', 'orders', 'planner')).body;
    const kpis = (await c.call('GET', 'kpis?from=2026-11-01&to=2026-12-31', 'planner')).body;
    const id = (
      await create({
        name: 'Big customer',
        operations: [
          { type: 'hypothetical-order', sku: 'P1', quantity: 300, requestedDate: '2026-11-24' },
          { type: 'hypothetical-order', sku: 'P1', quantity: 10, requestedDate: '2026-12-15' },
        ],
      })
    ).json().id;
    const ev = await evaluation(id);
    expect(await c.version()).toBe(version);
    expect(await c.events()).toEqual(events);
    expect((await c.call('GET', 'orders', 'planner')).body).toBe(ordersBefore);
    expect((await c.call('GET', 'kpis?from=2026-11-01&to=2026-12-31', 'planner')).body).toBe(kpis);
    const quote = (await c.call('POST', 'quotes', 'sales', { sku: 'P1', quantity: 300 })).json();
    expect(ev.hypotheticalOrders).toHaveLength(2);
    // Too early for the floor: placed at its earliest date, the one a quote gives; the later one at its requested date.
    expect(ev.hypotheticalOrders[0]).toMatchObject({ index: 0, requestedDate: '2026-11-24', promiseDate: quote.earliestPromiseDate });
    expect(ev.operations[0].effect).toEqual({ promiseDate: quote.earliestPromiseDate, requestedDateKept: false });
    expect(ev.hypotheticalOrders[1]).toMatchObject({ index: 1, promiseDate: '2026-12-15' });
    expect(ev.kpis.scenario.openPromises).toBe(4);
    // A bigger load ahead: the standard quote gets later in the scenario, never live.
    expect(ev.kpis.scenario.averageQuotedLeadTimeDays).toBeGreaterThanOrEqual(ev.kpis.live.averageQuotedLeadTimeDays);
    const hold = await c.call('POST', 'holds', 'sales', { sku: 'P1', quantity: 90 });
    expect(hold.statusCode).toBe(201);

    // Promotion skips them and lists them.
    const promoted = await c.call('POST', `scenarios/${id}/promote`, 'planner');
    expect(promoted.statusCode).toBe(200);
    expect(promoted.json()).toMatchObject({ applied: [], skippedHypotheticalOrders: [0, 1] });
    // The four orders and the sales hold: nothing of the scenario.
    expect((await c.call('GET', 'orders', 'planner')).json().items).toHaveLength(5);
  });

  it('takes ranged capacity changes and revocations of live ones, as the live requests do', async () => {
    await seedOrders();
    const live = await c.call('POST', 'capacity-changes', 'planner', saturday);
    expect(live.statusCode).toBe(201);
    const saturdays = {
      resource: 'cnc',
      kind: 'extra_shift',
      from: '2026-12-05',
      to: '2026-12-19',
      weekdays: [6],
      start: '06:00',
      end: '14:00',
      reason: 'three Saturdays',
    };
    const id = (
      await create({
        name: 'Move the Saturday',
        operations: [
          { type: 'revoke-capacity-change', id: live.json().change.id, reason: 'not needed' },
          { type: 'capacity-change', change: saturdays },
          { type: 'revoke-capacity-change', id: '00000000-0000-4000-8000-000000000000' },
        ],
      })
    ).json().id;
    const ev = await evaluation(id);
    expect(ev.operations.map((o: { applied: boolean }) => o.applied)).toEqual([true, true, false]);
    expect(ev.operations[1].effect).toMatchObject({ minutesDelta: 3 * 480 });
    expect(ev.operations[2].problem.type).toBe('not-found');
    const cnc = ev.load.find((r: { resource: string }) => r.resource === 'cnc');
    const delta = cnc.weeks.map(
      (w: { live: { capacityMinutes: number }; scenario: { capacityMinutes: number } }) =>
        w.scenario.capacityMinutes - w.live.capacityMinutes,
    );
    expect(delta.slice(0, 5)).toEqual([-480, 480, 480, 480, 0]);
    // Still in force live.
    expect((await c.call('GET', 'capacity-changes', 'planner')).json().items).toHaveLength(1);
  });

  it('caches the evaluation per revision and live version; a live write or a change of the scenario evaluates again', async () => {
    await seedOrders();
    const id = (await create({ name: 'S', operations: [{ type: 'capacity-change', change: saturday }] })).json().id;
    const first = await evaluation(id);
    t.clock.advance(60_000);
    const again = await evaluation(id);
    expect(again.evaluatedAt).toBe(first.evaluatedAt);
    await c.order({ quantity: 20, promiseDate: '2026-12-09' });
    const afterWrite = await evaluation(id);
    expect(afterWrite.scheduleVersion).toBe(first.scheduleVersion + 1);
    expect(afterWrite.kpis.live.openPromises).toBe(5);
    const patched = await c.call('PATCH', `scenarios/${id}`, 'planner', { name: 'S2' }, { 'if-match': '"1"' });
    expect(patched.statusCode).toBe(200);
    expect(patched.json().revision).toBe(2);
    t.clock.advance(60_000);
    const afterPatch = await evaluation(id);
    expect(afterPatch.revision).toBe(2);
    expect(afterPatch.evaluatedAt).not.toBe(afterWrite.evaluatedAt);
    expect((await c.call('PATCH', `scenarios/${id}`, 'planner', { name: 'S3' }, { 'if-match': '"1"' })).statusCode).toBe(412);
  });

  it('promotes all operations in one version with their events, or none: 409 names the first operation that no longer fits', async () => {
    const orders = await seedOrders();
    const ops = [
      { type: 'capacity-change', change: saturday },
      { type: 'repromise', orderId: orders[0]!.id, promiseDate: REPROMISE_TO, reason: 'customer asked' },
      { type: 'repromise', orderId: orders[1]!.id, promiseDate: REPROMISE_TO, reason: 'customer asked' },
    ];
    const id = (await create({ name: 'P', operations: ops })).json().id;
    const ev = await evaluation(id);
    expect(ev.operations.every((o: { applied: boolean }) => o.applied)).toBe(true);

    // The live plan moves on: the second order is cancelled, so its re-promise (operation 2) no longer fits.
    expect((await c.call('POST', `orders/${orders[1]!.id}/cancel`, 'planner', {})).statusCode).toBe(200);
    const version = await c.version();
    const stale = await c.call('POST', `scenarios/${id}/promote`, 'planner', undefined, { 'if-match': `"${ev.scheduleVersion}"` });
    expect(stale.statusCode).toBe(412);
    const refused = await c.call('POST', `scenarios/${id}/promote`, 'planner');
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({
      type: 'https://drumbeat.dev/problems/scenario-operation-failed',
      operationIndex: 2,
      operationType: 'repromise',
      problem: { type: 'conflict' },
    });
    expect(await c.version()).toBe(version);
    expect((await c.call('GET', 'capacity-changes', 'planner')).json().items).toEqual([]);
    expect((await c.call('GET', `orders/${orders[0]!.id}`, 'planner')).json().promiseDate).toBe('2026-12-02');

    // Without it, the rest goes through in one version.
    const patched = await c.call('PATCH', `scenarios/${id}`, 'planner', { operations: ops.slice(0, 2) });
    expect(patched.statusCode).toBe(200);
    const predicted = await evaluation(id);
    expect(predicted.scheduleVersion).toBe(version);
    const before = await finishes();
    const ok = await c.call('POST', `scenarios/${id}/promote`, 'planner', undefined, { 'if-match': `"${version}"` });
    expect(ok.statusCode).toBe(200);
    // The promoted plan is the evaluated one.
    const after = await finishes();
    const expected = new Map([...before].map(([orderId, p]) => [orderId, p.finish]));
    for (const m of predicted.ordersMoved) expected.set(m.orderId, m.plannedFinish.scenario);
    expect(new Map([...after].map(([orderId, p]) => [orderId, p.finish]))).toEqual(expected);
    expect(ok.json().scheduleVersion).toBe(version + 1);
    expect(ok.json().scenario).toMatchObject({ status: 'promoted', promotedVersion: version + 1 });
    const written = (await c.events()).filter((e) => e.scheduleVersion === version + 1).map((e) => e.type);
    expect(written).toEqual(['capacity.changed', 'order.repromised', 'scenario.promoted']);
    expect((await c.call('GET', `orders/${orders[0]!.id}`, 'planner')).json().promiseDate).toBe(REPROMISE_TO);
    expect((await c.call('POST', `scenarios/${id}/promote`, 'planner')).statusCode).toBe(409);
    expect((await c.call('PATCH', `scenarios/${id}`, 'planner', { name: 'x' })).statusCode).toBe(409);
    expect((await c.call('GET', `scenarios/${id}/evaluation`, 'planner')).statusCode).toBe(409);
    expect((await c.call('GET', `scenarios/${id}`, 'admin')).json()).toMatchObject({ status: 'promoted', promotedBy: expect.any(String) });
  });

  it('expires, caps open scenarios, checks roles and input', async () => {
    const body = { name: 'S', operations: [{ type: 'capacity-change', change: saturday }] };
    expect((await create(body, 'sales')).statusCode).toBe(403);
    expect((await create(body, 'admin')).statusCode).toBe(403);
    expect((await create({ name: 'S', operations: [{ type: 'nope' }] })).statusCode).toBe(400);
    expect((await create({ name: 'S', operations: Array.from({ length: 51 }, () => body.operations[0]) })).statusCode).toBe(400);
    expect(
      (await create({ name: 'S', operations: [{ type: 'repromise', orderId: 'x', promiseDate: '2026-12-01', reason: 'r' }] })).statusCode,
    ).toBe(400);
    expect(
      (await create({ name: 'S', operations: [{ type: 'hypothetical-order', sku: 'P1', quantity: 1, requestedDate: '2099-01-01' }] }))
        .statusCode,
    ).toBe(400);

    const first = await create(body, 'planner', { 'idempotency-key': 'k1' });
    expect(first.statusCode).toBe(201);
    const replay = await create(body, 'planner', { 'idempotency-key': 'k1' });
    expect(replay.statusCode).toBe(201);
    expect(replay.json().id).toBe(first.json().id);
    for (let i = 1; i < 20; i++) expect((await create(body)).statusCode).toBe(201);
    const over = await create(body);
    expect(over.statusCode).toBe(409);
    expect(over.json().limit).toBe(20);

    const id = first.json().id;
    expect((await c.call('GET', `scenarios/${id}`, 'admin')).statusCode).toBe(200);
    expect((await c.call('GET', `scenarios/${id}/evaluation`, 'sales')).statusCode).toBe(403);
    expect((await c.call('GET', 'scenarios', 'admin')).json().items).toHaveLength(20);
    expect((await c.call('DELETE', `scenarios/${id}`, 'planner')).statusCode).toBe(204);
    expect((await c.call('GET', `scenarios/${id}`, 'planner')).statusCode).toBe(404);
    expect((await create(body)).statusCode).toBe(201);

    t.clock.advance(8 * 86_400_000);
    const list = (await c.call('GET', 'scenarios', 'planner')).json();
    expect(list.items).toEqual([]);
    const any = (await create(body)).json().id;
    expect((await c.call('GET', `scenarios/${any}`, 'planner')).statusCode).toBe(200);
  });

  it('answers 410 for an expired scenario', async () => {
    const id = (await create({ name: 'S', operations: [] })).json().id;
    t.clock.advance(7 * 86_400_000 + 1000);
    const gone = await c.call('GET', `scenarios/${id}/evaluation`, 'planner');
    expect(gone.statusCode).toBe(410);
    expect(gone.json().type).toBe('https://drumbeat.dev/problems/scenario-expired');
    expect((await c.call('POST', `scenarios/${id}/promote`, 'planner')).statusCode).toBe(410);
  });
});
