import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { client, databaseKinds, plantPerTest } from '../helpers/planning.ts';
import { NOW, routePlantSession } from '../helpers/route-plant.ts';

interface Block {
  resource: string;
  kind: 'overtime' | 'extra_shift';
  source: string;
  date: string;
  start: string;
  end: string;
  minutes: number;
  cost?: number;
}
interface Proposal {
  resource: string;
  totalMinutes: number;
  totalCost?: number;
  currency?: string;
  blocks: Block[];
}

// Monday 2026-11-23 09:00 Berlin; the drum (cnc) works 06:00–22:00 Monday to Friday, 3 660
// minutes to the end of Thursday. Three orders of 930 minutes promised for Friday leave 870.
describe.each(databaseKinds())('capacity policy and priced proposals on %s', (kind) => {
  const plant = plantPerTest(kind, 'proposals', { productionBufferDays: 2, shippingBufferDays: 1, standardLeadTimeDays: 2 });
  let c: ReturnType<typeof client>;
  beforeEach(async () => {
    ({ c } = plant);
    for (let i = 0; i < 3; i++) await c.order({ quantity: 90, promiseDate: '2026-11-27' });
  });

  // 1 030 minutes for Friday: 160 short.
  const ask = { sku: 'P1', quantity: 100, requestedDate: '2026-11-27' };

  it('a refused quote carries proposals; posting the first one as capacity changes makes the same quote feasible', async () => {
    const refused = (await c.call('POST', 'quotes', 'planner', ask)).json();
    expect(refused).toMatchObject({ requestedDateFeasible: false, capacityNeeded: { resource: 'cnc', minutes: 160 } });
    const proposals = refused.proposals as Proposal[];
    expect(proposals.length).toBeGreaterThan(0);
    const [first] = proposals;
    expect(first!.totalMinutes).toBeGreaterThanOrEqual(160);
    expect(first!.currency).toBe('XXX');
    for (const b of first!.blocks) {
      // the defaults: overtime right after the last shift, at most 2 h, at least 60 minutes
      expect(b).toMatchObject({ resource: 'cnc', kind: 'overtime', start: '22:00' });
      expect(b.minutes).toBeGreaterThanOrEqual(60);
      expect(b.minutes).toBeLessThanOrEqual(120);
    }
    for (const b of first!.blocks) {
      const res = await c.call('POST', 'capacity-changes', 'planner', {
        resource: b.resource,
        kind: b.kind,
        date: b.date,
        start: b.start,
        end: b.end,
        reason: 'proposal for ACME',
      });
      expect(res.statusCode).toBe(201);
      expect(res.json().minutesDelta).toBe(b.minutes);
    }
    const after = (await c.call('POST', 'quotes', 'sales', ask)).json();
    expect(after).toMatchObject({ requestedDateFeasible: true });
    expect(after.proposals).toBeUndefined();
  });

  it('sales sees proposals without costs, in a quote and in a refused hold; planners see them priced', async () => {
    const put = await c.call('PUT', 'capacity-policy', 'planner', {
      currency: 'EUR',
      defaults: { overtime: { costPerHour: 60 } },
    });
    expect(put.statusCode).toBe(200);
    const planner = (await c.call('POST', 'quotes', 'planner', ask)).json().proposals as Proposal[];
    expect(planner[0]).toMatchObject({ currency: 'EUR' });
    expect(planner[0]!.totalCost).toBeCloseTo((planner[0]!.totalMinutes / 60) * 60, 2);
    const sales = (await c.call('POST', 'quotes', 'sales', ask)).json().proposals as Proposal[];
    expect(sales.map((p) => p.blocks.map((b) => [b.date, b.start, b.end]))).toEqual(
      planner.map((p) => p.blocks.map((b) => [b.date, b.start, b.end])),
    );
    for (const p of sales) {
      expect(p).not.toHaveProperty('totalCost');
      expect(p).not.toHaveProperty('currency');
      for (const b of p.blocks) expect(b).not.toHaveProperty('cost');
    }
    const hold = await c.call('POST', 'holds', 'sales', { sku: 'P1', quantity: 100, promiseDate: '2026-11-27', customer: 'ACME' });
    expect(hold.statusCode).toBe(409);
    expect(hold.json()).toMatchObject({ type: expect.stringContaining('schedule-infeasible'), capacityNeeded: { minutes: 160 } });
    expect(hold.json().proposals.length).toBeGreaterThan(0);
    expect(hold.json().proposals[0]).not.toHaveProperty('totalCost');
    const planned = await c.call('POST', 'holds', 'planner', { sku: 'P1', quantity: 100, promiseDate: '2026-11-27', customer: 'ACME' });
    expect(planned.json().proposals[0].totalCost).toBeGreaterThan(0);
  });

  it('the policy shapes the proposals: without overtime nothing fits before Friday; overtime before the shift does', async () => {
    const none = await c.call('PUT', 'capacity-policy', 'planner', { defaults: { overtime: { afterShiftMinutes: 0 } } });
    expect(none.statusCode).toBe(200);
    expect((await c.call('POST', 'quotes', 'planner', ask)).json().proposals).toEqual([]);
    const before = await c.call(
      'PUT',
      'capacity-policy',
      'planner',
      { resources: { cnc: { overtime: { beforeShiftMinutes: 120, afterShiftMinutes: 0 }, minBlockMinutes: 90 } } },
      { 'if-match': none.headers.etag as string },
    );
    expect(before.statusCode).toBe(200);
    const proposals = (await c.call('POST', 'quotes', 'planner', ask)).json().proposals as Proposal[];
    expect(proposals.length).toBeGreaterThan(0);
    for (const p of proposals)
      for (const b of p.blocks) {
        expect(b.end).toBe('06:00');
        expect(b.minutes).toBeGreaterThanOrEqual(90);
      }
  });

  it('a downtime refused for the orders it makes late offers compensating capacity; with it in place the downtime is accepted', async () => {
    const downtime = { resource: 'cnc', kind: 'downtime', date: '2026-11-24', reason: 'spindle repair' }; // 960 minutes: 90 too many
    const refused = await c.call('POST', 'capacity-changes', 'planner', downtime);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().lateOrders).toHaveLength(1);
    const proposals = refused.json().proposals as Proposal[];
    expect(proposals.length).toBeGreaterThan(0);
    expect(proposals[0]!.totalMinutes).toBeGreaterThanOrEqual(90);
    expect(proposals[0]!.totalCost).toBeGreaterThan(0);
    for (const b of proposals[0]!.blocks) {
      expect(b.date).not.toBe('2026-11-24'); // the downtime would cancel it
      const { resource, kind, date, start, end } = b;
      const res = await c.call('POST', 'capacity-changes', 'planner', { resource, kind, date, start, end, reason: 'cover the repair' });
      expect(res.statusCode).toBe(201);
    }
    expect((await c.call('POST', 'capacity-changes', 'planner', downtime)).statusCode).toBe(201);
    expect((await c.call('GET', 'schedule', 'planner')).json().feasible).toBe(true);
  });

  it('GET/PUT follow If-Match, validate resources and are for planners and admins; a change is an event', async () => {
    const initial = await c.call('GET', 'capacity-policy', 'planner');
    expect(initial.statusCode).toBe(200);
    expect(initial.json()).toMatchObject({
      currency: 'XXX',
      revision: 0,
      defaults: { overtime: { afterShiftMinutes: 120 }, minBlockMinutes: 60, nightShift: { enabled: false } },
    });
    expect(initial.headers.etag).toBe('"0"');
    expect((await c.call('GET', 'capacity-policy', 'sales')).statusCode).toBe(403);
    expect((await c.call('PUT', 'capacity-policy', 'sales', {})).statusCode).toBe(403);
    const unknown = await c.call('PUT', 'capacity-policy', 'planner', { resources: { lathe: {} } });
    expect(unknown.statusCode).toBe(400);
    expect(JSON.stringify(unknown.json())).toContain('body.resources.lathe');
    const bad = await c.call('PUT', 'capacity-policy', 'planner', { defaults: { minBlockMinutes: 120, maxBlockMinutes: 60 } });
    expect(bad.statusCode).toBe(400);
    const version = await c.version();
    const ok = await c.call('PUT', 'capacity-policy', 'admin', { currency: 'EUR' }, { 'if-match': '"0"' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ currency: 'EUR', revision: 1 });
    expect(await c.version()).toBe(version + 1);
    const stale = await c.call('PUT', 'capacity-policy', 'planner', { currency: 'USD' }, { 'if-match': '"0"' });
    expect(stale.statusCode).toBe(412);
    expect((await c.call('GET', 'capacity-policy', 'planner')).json()).toMatchObject({ currency: 'EUR', revision: 1 });
    const events = (await c.events()).filter((e) => e.type === 'capacity-policy.changed');
    expect(events).toHaveLength(1);
    expect(events[0]!.data).toMatchObject({ currency: 'EUR', revision: 1 });
  });
});

// Testing after the drum (Mon–Thu, one shift) binds: the proposals add test capacity.
describe.each(databaseKinds())('proposals off the drum on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ now: NOW, kind });
  });
  afterAll(async () => t.close());
  const s = routePlantSession(() => t, 'proposals-test');

  it('a date the test station cannot make gets test capacity proposals; posting the first makes it keepable', async () => {
    await s.create();
    const twoShifts = {
      weekly: (['mon', 'tue', 'wed', 'thu', 'fri'] as const).flatMap((day) => [{ day, start: '06:00', end: '22:00' }]),
      exceptions: [],
    };
    const monThu = {
      weekly: (['mon', 'tue', 'wed', 'thu'] as const).map((day) => ({ day, start: '06:00', end: '14:00' })),
      exceptions: [],
    };
    await s.ok('PUT', 'resources/heat', 'admin', { name: 'heat', drum: false, calendar: twoShifts });
    await s.ok('PUT', 'resources/test', 'admin', { name: 'test', drum: false, calendar: monThu });
    await s.ok('PUT', 'products/T', 'admin', {
      name: 'T',
      routing: [
        { resource: 'heat', setupMinutes: 0, runMinutesPerUnit: 3 },
        { resource: 'drum', setupMinutes: 0, runMinutesPerUnit: 6 },
        { resource: 'test', setupMinutes: 0, runMinutesPerUnit: 96 },
      ],
    });
    for (let i = 0; i < 5; i++) {
      const hold = await s.ok('POST', 'holds', 'sales', { sku: 'T', quantity: 10, customer: `C${i}` });
      await s.ok('POST', `holds/${hold.id}/confirm`, 'sales', {});
    }
    // One working day before the quote: the test station needs 480 more minutes in the days before.
    const ask = { sku: 'T', quantity: 10, requestedDate: '2026-12-14' };
    const refused = await s.ok('POST', 'quotes', 'planner', ask);
    expect(refused).toMatchObject({
      requestedDateFeasible: false,
      earliestPromiseDate: '2026-12-15',
      capacityNeeded: { resource: 'test' },
    });
    const proposals = refused.proposals as Proposal[];
    expect(proposals.length).toBeGreaterThan(0);
    for (const p of proposals) for (const b of p.blocks) expect(b.resource).toBe('test');
    for (const b of proposals[0]!.blocks) {
      const res = await s.call('POST', 'capacity-changes', 'planner', {
        resource: b.resource,
        kind: b.kind,
        date: b.date,
        start: b.start,
        end: b.end,
        reason: 'test station proposal',
      });
      expect(res.statusCode).toBe(201);
      expect(res.json().minutesDelta).toBe(b.minutes);
    }
    expect(await s.ok('POST', 'quotes', 'sales', ask)).toMatchObject({ requestedDateFeasible: true });
  });
});
