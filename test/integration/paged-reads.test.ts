import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plantVersions } from '../../src/db/repos/plant-versions.ts';
import { resourceLoad } from '../../src/domain/planning/load.ts';
import { PlantCache } from '../../src/domain/schedule/plant-cache.ts';
import { withTimePassed } from '../../src/domain/schedule/release-tick.ts';
import { routePlanInSlices } from '../../src/domain/schedule/route-plan-slices.ts';
import { ScheduleWriter } from '../../src/domain/schedule/schedule-writer.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { seedPlant } from '../helpers/builders.ts';
import { QueryCounter } from '../helpers/query-counter.ts';
import { client, databaseKinds } from '../helpers/planning.ts';

// O(n) reads of the database in pages (issue 14 item 2): a small page size injected, the
// pages counted, and the answer identical to one read of everything.
describe.each(databaseKinds())('paged reads on %s', (kind) => {
  let t: TestApp;
  const c = client(() => t);
  const ORDERS = 7;
  beforeAll(async () => {
    t = await buildTestApp({ now: '2026-11-23T08:00:00Z', kind });
    await seedPlant(t);
    for (let i = 0; i < ORDERS - 1; i++)
      await c.order({ sku: 'SAWN', quantity: 5 + 7 * i, promiseDate: `2026-12-${String(10 + i).padStart(2, '0')}` });
    const hold = await c.call('POST', 'holds', 'sales', { sku: 'P1', customer: 'ACME', quantity: 3, promiseDate: '2026-12-22' });
    expect(hold.statusCode).toBe(201);
  });
  afterAll(async () => t.close());

  const deps = (cache: PlantCache) => ({
    db: t.db.db,
    clock: t.clock,
    cache,
    writer: new ScheduleWriter({ db: t.db.db, clock: t.clock, cache }),
  });

  const coldBuild = async (cache: PlantCache) => {
    const v = (await plantVersions(t.db.db, 'plant-1'))!;
    return cache.sync(t.db.db, 'plant-1', v.schedule_version, v.config_version);
  };

  it('a cold book build reads the committed orders in keyset pages and builds the same state', async () => {
    const whole = new PlantCache();
    const paged = new PlantCache(3);
    const exact = new PlantCache(ORDERS);
    const [a, b, e] = [await coldBuild(whole), await coldBuild(paged), await coldBuild(exact)];
    expect(whole.buildPages).toBe(1);
    expect(paged.buildPages).toBe(3); // 3 + 3 + 1
    expect(exact.buildPages).toBe(2); // a full page, then an empty one
    const now = Math.floor(t.clock.now().getTime() / 60_000);
    const byId = (xs: { id: string }[]) => [...xs].sort((x, y) => (x.id < y.id ? -1 : 1));
    for (const s of [b, e]) {
      expect(byId(s.book!.orders())).toEqual(byId(a.book!.orders()));
      expect(s.book!.schedule(now, 4)).toEqual(a.book!.schedule(now, 4));
      expect([...s.holdExpiry.entries()].sort()).toEqual([...a.holdExpiry.entries()].sort());
      expect(s.version).toBe(a.version);
    }
    expect(a.book!.orders()).toHaveLength(ORDERS);
  });

  it('the load report reads no order row: its numbers come from the plans of the cached book, cold or warm alike', async () => {
    const q = { from: '2026-11-23', to: '2026-12-31', granularity: 'day' as const, threshold: 0.5 };
    const one = await resourceLoad(deps(new PlantCache()), 'plant-1', q);
    const cache = new PlantCache();
    await resourceLoad(deps(cache), 'plant-1', q); // the book is warm
    const counter = new QueryCounter('orders');
    const warm = await resourceLoad({ ...deps(cache), db: t.db.db.withPlugin(counter) }, 'plant-1', q);
    expect(counter.count).toBe(0);
    expect({ ...warm, computedAt: '' }).toEqual({ ...one, computedAt: '' });
    expect(one.resources.find((r) => r.resource === 'saw')!.periods.some((p) => p.loadMinutes > 0)).toBe(true);
  });
  it('the route plan in pages that yield equals one plan under time passing, and starts again after a write between pages', async () => {
    const state = await coldBuild(new PlantCache());
    const route = state.route!;
    const now = Math.floor(t.clock.now().getTime() / 60_000);
    // A minute at which some planned work is overdue, so the overlay ticks on every page.
    let later = now;
    while (!route.tickDue(later) && later < now + 40 * 1440) later += 360;
    expect(route.tickDue(later)).toBe(true);
    for (const at of [now, later]) {
      const whole = withTimePassed(state, at, () => route.plan(at));
      expect(await routePlanInSlices(state, route, at, 2)).toEqual(whole);
    }
    expect(route.tickDue(later)).toBe(true); // every overlay rolled back

    // The walk computes its first page, then yields; a write then must not leave a mix of two states.
    const first = route.orders()[0]!.id;
    const walk = routePlanInSlices(state, route, now, 2);
    route.remove(first);
    const plans = await walk;
    expect(plans.map((p) => p.id)).not.toContain(first);
    expect(plans).toEqual(withTimePassed(state, now, () => route.plan(now)));
  });
});
