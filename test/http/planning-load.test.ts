import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { seedPlant } from '../helpers/builders.ts';
import { client, databaseKinds } from '../helpers/planning.ts';

// SAWN: saw 5 + 1/unit, then the drum cnc 30 + 10/unit. Both work 06:00–22:00 Mon–Fri (960 a day).
describe.each(databaseKinds())('resource load on %s', (kind) => {
  let t: TestApp;
  // A plant per test with the same two orders (one test takes the saw down).
  let c: ReturnType<typeof client>;
  let plants = 0;
  beforeAll(async () => {
    t = await buildTestApp({ now: '2026-11-23T08:00:00Z', kind });
  });
  beforeEach(async () => {
    const id = `load-${++plants}`;
    await seedPlant(t, id);
    c = client(() => t, id);
    await c.order({ quantity: 288, promiseDate: '2026-12-11', sku: 'SAWN' }); // drum 2910 from Monday 09:00; saw 293 on its release day, Monday
    await c.order({ quantity: 1, promiseDate: '2026-12-18', sku: 'SAWN' }); // drum 40 on Thursday; released Tuesday: saw 6
  });
  afterAll(async () => t.close());

  type Load = {
    resources: {
      resource: string;
      flagged: boolean;
      periods: { start: string; loadMinutes: number; capacityMinutes: number; utilisation: number | null; overThreshold: boolean }[];
    }[];
    possibleWanderingBottlenecks: string[];
  };
  const load = async (query: string) => {
    const res = await c.call('GET', `load?${query}`, 'planner');
    expect(res.statusCode).toBe(200);
    return res.json() as Load;
  };
  const of = (l: Load, r: string) => l.resources.find((x) => x.resource === r)!;

  it('puts the drum on its planned schedule and the other operations on their rope day', async () => {
    const l = await load('from=2026-11-23&to=2026-11-27');
    expect(of(l, 'cnc').periods.map((p) => p.loadMinutes)).toEqual([780, 960, 960, 250, 0]);
    expect(of(l, 'saw').periods.map((p) => p.loadMinutes)).toEqual([293, 6, 0, 0, 0]);
    expect(of(l, 'saw').periods[0]).toMatchObject({ capacityMinutes: 960, utilisation: 0.31, overThreshold: false });
    expect(l.possibleWanderingBottlenecks).toEqual([]);
  });

  it('flags a non-drum resource above the threshold, by week too', async () => {
    expect((await load('from=2026-11-23&to=2026-11-27&threshold=0.3')).possibleWanderingBottlenecks).toEqual(['saw']);
    const week = await load('from=2026-11-23&to=2026-11-29&granularity=week');
    expect(of(week, 'cnc').periods).toEqual([expect.objectContaining({ start: '2026-11-23', loadMinutes: 2950, capacityMinutes: 4800 })]);
    expect(of(week, 'cnc').flagged).toBe(false); // the drum is the constraint, not a wandering one
  });

  it('sees a non-drum capacity change: a saw down on Tuesday with work planned is flagged', async () => {
    const res = await c.call('POST', 'capacity-changes', 'planner', {
      resource: 'saw',
      kind: 'downtime',
      date: '2026-11-24',
      reason: 'blade',
    });
    expect(res.statusCode).toBe(201);
    const l = await load('from=2026-11-23&to=2026-11-24');
    expect(of(l, 'saw').periods[1]).toMatchObject({ capacityMinutes: 0, loadMinutes: 6, utilisation: null, overThreshold: true });
    expect(l.possibleWanderingBottlenecks).toEqual(['saw']);
    expect((await c.call('GET', 'load?from=2026-11-24&to=2026-11-23', 'planner')).statusCode).toBe(400);
    expect((await c.call('GET', 'load?from=2026-11-23&to=2026-11-24', 'sales')).statusCode).toBe(403);
  });
});
