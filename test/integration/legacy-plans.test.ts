import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planLegacyOrdersAtStart } from '../../src/domain/schedule/hold-sweeper.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { realPostgresAvailable } from '../helpers/db.ts';
import { checkPlan, describeViolations } from '../helpers/plan-checker.ts';
import { checkerInputFrom, minuteOf, type PublishedPlan } from '../helpers/published-plan.ts';
import { monThu, NOW, oneShift, twoShifts, ZONE } from '../helpers/route-plant.ts';

// Design note whole-route.md §9: orders committed before whole-route planning have no plan
// off the drum; the first write of a plant state plans them at their own promise.
describe.each(realPostgresAvailable() ? (['pglite', 'postgres'] as const) : (['pglite'] as const))(
  'orders committed before whole-route planning on %s',
  (kind) => {
    let t: TestApp;
    const P = '/v1/plants/legacy';
    const calendars = { heat: monThu, drum: twoShifts, test: oneShift };

    beforeAll(async () => {
      t = await buildTestApp({ now: NOW, kind });
    });
    afterAll(async () => t.close());

    const ok = async (method: 'GET' | 'POST' | 'PUT', url: string, role: 'admin' | 'planner' | 'sales', payload?: object) => {
      const res = await t.app.inject({ method, url, headers: t.as(role), ...(payload ? { payload } : {}) });
      if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
      return res.json();
    };

    /** What a database written before migration 0009 holds: no operation snapshot, no planned release, no ready time. */
    async function forgetPlans() {
      await sql`ALTER TABLE order_operations DISABLE TRIGGER USER`.execute(t.db.db);
      await sql`ALTER TABLE orders DISABLE TRIGGER USER`.execute(t.db.db);
      await sql`DELETE FROM order_operations WHERE plant_id = 'legacy'`.execute(t.db.db);
      await sql`UPDATE orders SET planned_release_at = NULL, ready_at = NULL WHERE plant_id = 'legacy'`.execute(t.db.db);
      await sql`ALTER TABLE orders ENABLE TRIGGER USER`.execute(t.db.db);
      await sql`ALTER TABLE order_operations ENABLE TRIGGER USER`.execute(t.db.db);
      t.writer.deps.cache.invalidate('legacy'); // a process started after the upgrade
    }

    it('plans their work on every resource at their own promise, in drum sequence, and later promises see it', async () => {
      await ok('POST', '/v1/plants', 'admin', { id: 'legacy', name: 'legacy', timeZone: ZONE });
      for (const [r, calendar] of Object.entries(calendars))
        await ok('PUT', `${P}/resources/${r}`, 'admin', { name: r, drum: r === 'drum', calendar });
      await ok('PUT', `${P}/products/H`, 'admin', {
        name: 'H',
        routing: [
          { resource: 'heat', setupMinutes: 0, runMinutesPerUnit: 96 },
          { resource: 'drum', setupMinutes: 0, runMinutesPerUnit: 6 },
          { resource: 'test', setupMinutes: 0, runMinutesPerUnit: 3 },
        ],
      });
      await ok('PUT', `${P}/buffer-policy`, 'admin', { productionBufferDays: 4, shippingBufferDays: 1, standardLeadTimeDays: 2 });
      const confirmed = async (customer: string) => {
        const h = await ok('POST', `${P}/holds`, 'sales', { sku: 'H', quantity: 5, customer });
        await ok('POST', `${P}/holds/${h.id}/confirm`, 'sales', {});
        return h as { id: string; promiseDate: string };
      };
      const a = await confirmed('A');
      const b = await confirmed('B');
      await forgetPlans();

      const before = await ok('GET', `${P}/orders/${a.id}/plan`, 'planner');
      expect(before.operations.map((op: { resource: string }) => op.resource)).toEqual(['drum']); // the drum alone: heat treatment reserves nothing

      // At start, before any request, one write per such plant plans them; then a quote and a hold agree,
      // and the new hold queues behind their heat treatment.
      expect(await planLegacyOrdersAtStart({ ...t.writer.deps, writer: t.writer })).toEqual(['legacy']);
      const quote = await ok('POST', `${P}/quotes`, 'sales', { sku: 'H', quantity: 5 });
      const hold = await ok('POST', `${P}/holds`, 'sales', { sku: 'H', quantity: 5, customer: 'C' });
      expect(hold.promiseDate).toBe(quote.earliestPromiseDate);
      const published = (await ok('GET', `${P}/plan`, 'planner')) as PublishedPlan;
      const heat = (id: string) =>
        published.orders.find((o) => o.orderId === id)!.operations.find((op) => op.resource === 'heat')! as {
          start: string;
          end: string;
          reserved?: boolean;
        };
      for (const id of [a.id, b.id]) expect(heat(id).reserved ?? true).toBe(true);
      expect(Date.parse(heat(hold.id).start)).toBeGreaterThanOrEqual(Math.max(Date.parse(heat(a.id).end), Date.parse(heat(b.id).end)));
      for (const o of published.orders)
        if (o.orderId !== hold.id) expect(o.promiseDate).toBe(o.orderId === a.id ? a.promiseDate : b.promiseDate);
      const v = checkPlan(checkerInputFrom(published, { now: minuteOf(NOW), timeZone: ZONE, drum: 'drum', calendars }));
      expect(v, describeViolations(v)).toEqual([]);

      const events = (await ok('GET', `${P}/events?limit=500`, 'planner')).items as { type: string; data: Record<string, unknown> }[];
      const migrated = events.filter((e) => e.type === 'schedule.legacy-planned');
      expect(migrated).toHaveLength(1);
      expect(migrated[0]!.data).toEqual({ plannedOrderIds: [a.id, b.id], unplannableOrderIds: [] });

      // Idempotent: a process that builds its state again finds nothing left to plan.
      expect(await planLegacyOrdersAtStart({ ...t.writer.deps, writer: t.writer })).toEqual([]);
      t.writer.deps.cache.invalidate('legacy');
      await ok('POST', `${P}/holds`, 'sales', { sku: 'H', quantity: 1, customer: 'D' });
      const again = (await ok('GET', `${P}/events?limit=500`, 'planner')).items.filter(
        (e: { type: string }) => e.type === 'schedule.legacy-planned',
      );
      expect(again).toHaveLength(1);
    });
  },
);
