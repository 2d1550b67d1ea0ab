import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { databaseKinds } from '../helpers/planning.ts';
import { NOW, routePlantSession } from '../helpers/route-plant.ts';

// Review of branch `latekey`: what a planner sees when an order the tick made late comes back
// on time. Product D works on the drum only (no downstream work), so its projected finish is
// its effective drum deadline D̂ (route-tick.ts projectedFinishOf). On the branch nothing lowered
// D̂ once raised, so an order whose published plan was back on time by hours stayed flagged at
// risk; the tick now lowers it (RouteDrum.recoverEffectiveDeadlines, from every write's tick).

describe.each(databaseKinds())('review latekey: a recovered order on %s', (kind) => {
  let t: TestApp;
  const session = routePlantSession(() => t, 'latekey-review');
  const { call, ok } = session;

  beforeAll(async () => {
    t = await buildTestApp({ now: NOW, kind });
  });
  afterAll(async () => t.close());

  // Expected: once the published plan ends inside the promised day by more than the recovery
  // band (240 min), the order is on track again (order.on-track, reason recovered), as
  // planning-rules/at-risk.ts promises (on the branch it stayed at risk with the stale D̂ as projection).
  it('an order at risk whose plan is back well inside its promised day is not flagged at risk for ever', async () => {
    await session.create();
    const quote = async (quantity: number) => (await ok('POST', 'quotes', 'sales', { sku: 'D', quantity })).earliestPromiseDate;
    const a = await ok('POST', 'orders', 'sales', { sku: 'D', quantity: 16, promiseDate: await quote(16), customer: 'a' });
    const b = await ok('POST', 'orders', 'sales', { sku: 'D', quantity: 4, promiseDate: await quote(4), customer: 'b' });
    await ok('POST', `orders/${b.id}/release`, 'planner', { reason: 'material here' });
    // A is never released: writes every few hours let the tick hold it back until B, behind it, is at risk.
    let atRisk = null;
    for (let h = 4; h <= 96 && !atRisk; h += 4) {
      t.clock.set(new Date(Date.parse(NOW) + h * 3_600_000).toISOString());
      const r = await call('POST', 'holds', 'sales', { sku: 'D', quantity: 1 });
      if (r.statusCode === 201) await call('DELETE', `holds/${r.json().id}`, 'sales');
      atRisk = (await ok('GET', `orders/${b.id}`, 'planner')).atRisk;
    }
    expect(atRisk, 'B never became at risk: the scenario needs adjusting').not.toBeNull();
    await ok('POST', `orders/${a.id}/cancel`, 'planner', { reason: 'customer withdrew' });
    const r = await call('POST', 'holds', 'sales', { sku: 'D', quantity: 1 });
    if (r.statusCode === 201) await call('DELETE', `holds/${r.json().id}`, 'sales');
    const plan = await ok('GET', 'plan', 'planner');
    const planned = plan.orders.find((o: { orderId: string }) => o.orderId === b.id);
    const end = Date.parse(planned.operations.at(-1).end);
    const dayEnd = Date.parse(`${b.promiseDate}T23:00:00Z`); // end of the promised day in Berlin (CET)
    // B now ends the next morning, well inside its promised day (more than the 240-minute recovery band).
    expect(end, JSON.stringify(planned)).toBeLessThan(dayEnd - 8 * 3_600_000);
    const view = await ok('GET', `orders/${b.id}`, 'planner');
    expect(view.atRisk, JSON.stringify(view.atRisk)).toBeNull();
  });
});
