import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { seedPlant } from '../helpers/builders.ts';
import { realPostgresAvailable } from '../helpers/db.ts';
import { auditPlant } from '../helpers/keepability-review.ts';
import { NOW, routePlantSession } from '../helpers/route-plant.ts';
import { startReceiver } from '../helpers/webhook-receiver.ts';

// Late material pushed by the ERP is a fact (DOMAIN.md "Facts and time"): the push that only
// moves an order's material date later is recorded, never refused; the order keeps its promise
// and is planned at its earliest keepable date, at risk openly (answer, at-risk list, event,
// webhook) with reason `material-late`. Every other change keeps the commit's rule. The plant
// is test/helpers/route-plant.ts: heat (Mon–Thu) → drum → test, H×5 works 480, 30, 15 minutes;
// Monday 2026-11-23 09:00 Berlin; the earliest promise for H×5 is Wednesday.

type Ev = { type: string; orderId: string | null; scheduleVersion: number; data: Record<string, unknown> };
/** Thursday 2026-11-26 00:00 Berlin: the material date the ERP pushes late. */
const THURSDAY = '2026-11-25T23:00:00.000Z';

describe.each(realPostgresAvailable() ? (['postgres', 'pglite'] as const) : (['pglite'] as const))(
  'late material pushed by the ERP on %s',
  (kind) => {
    let t: TestApp;
    const s = routePlantSession(() => t, `mat-${kind}`);
    beforeAll(async () => {
      t = await buildTestApp({ now: NOW, kind, build: { webhooks: { secretKey: randomBytes(32), allowHosts: ['127.0.0.1'] } } });
    });
    beforeEach(() => t.clock.set(NOW));
    afterAll(async () => t.close());

    const plantId = () => s.P.split('/').pop()!;
    const push = (promiseDate: string, extra: object = {}) =>
      s.call('PUT', 'orders/by-external-id/SO-1', 'erp', { sku: 'H', quantity: 5, promiseDate, customer: 'E', ...extra });
    const events = async () => (await s.ok('GET', 'events?limit=1000', 'planner')).items as Ev[];
    const atRisk = async () => (await s.ok('GET', 'at-risk', 'planner')).items as { orderId: string; reason: string }[];
    /** Every published plan keepable or flagged, no false alarm (the independent plan checker, material dates included). */
    const expectHonest = async (step: string) => {
      const a = await auditPlant(t, plantId(), s.calendars, { sweep: false });
      expect(a.describe(), step).toBe('');
    };
    /** A confirmed H×5 pushed at the earliest date (Wednesday), material there. */
    const pushedAtEarliest = async () => {
      await s.create();
      const q = await s.ok('POST', 'quotes', 'erp', { sku: 'H', quantity: 5 });
      const first = await push(q.earliestPromiseDate);
      expect(first.statusCode).toBe(201);
      return { id: first.json().id as string, promiseDate: q.earliestPromiseDate as string, order: first.json() };
    };

    it('records a later material date that breaks the promise, plans the order from it and flags it at risk openly', async () => {
      const { id, promiseDate, order } = await pushedAtEarliest();
      expect(promiseDate).toBe('2026-11-25');
      const rx = await startReceiver();
      try {
        await s.ok('POST', 'webhooks', 'erp', { url: rx.url, eventTypes: ['order.at-risk'] });
        const late = await push(promiseDate, { materialAvailableDate: '2026-11-26' });
        expect(late.statusCode).toBe(200);
        const answer = late.json();
        // The fact is stored; the promise and the drum deadline stay as given until a planner re-promises.
        expect(answer).toMatchObject({ id, materialAvailableAt: THURSDAY, promiseDate, drumDeadline: order.drumDeadline });
        expect(answer.atRisk).toMatchObject({ reason: 'material-late', resource: null });
        expect(Date.parse(answer.atRisk.projectedFinish)).toBeGreaterThan(Date.parse(THURSDAY));
        expect(await atRisk()).toEqual([expect.objectContaining({ orderId: id, reason: 'material-late' })]);
        // The at-risk event is in the fact's own version, beside the order's update.
        const evs = (await events()).filter((e) => e.orderId === id && e.scheduleVersion === answer.scheduleVersion);
        expect(evs.map((e) => e.type).sort()).toEqual(['order.at-risk', 'order.updated']);
        // Waiting on material, not on a resource: no resource named (overtime cannot buy it).
        expect(evs.find((e) => e.type === 'order.at-risk')!.data).toMatchObject({ promiseDate, reason: 'material-late', resource: null });
        // The plan: no operation before the material, late against its promise, honest by the checker.
        const plan = await s.ok('GET', `orders/${id}/plan`, 'planner');
        expect(Date.parse(plan.operations[0].start)).toBeGreaterThanOrEqual(Date.parse(THURSDAY));
        expect(plan.late).toBe(true);
        await expectHonest('after the late material');
        await t.app.webhookDeliverer.runOnce();
        const delivered = rx.received.map((r) => JSON.parse(r.body) as { type: string; data: Ev });
        expect(delivered).toEqual([
          expect.objectContaining({
            type: 'order.at-risk',
            data: expect.objectContaining({ orderId: id, data: expect.objectContaining({ reason: 'material-late', resource: null }) }),
          }),
        ]);
      } finally {
        await rx.close();
      }
    });

    it('the same push again changes nothing: no new version, no new event', async () => {
      const { promiseDate } = await pushedAtEarliest();
      const late = await push(promiseDate, { materialAvailableDate: '2026-11-26' });
      expect(late.statusCode).toBe(200);
      const before = await events();
      const again = await push(promiseDate, { materialAvailableDate: '2026-11-26' });
      expect(again.statusCode).toBe(200);
      expect(again.json()).toEqual(late.json());
      expect(await events()).toEqual(before);
    });

    it('a later material date the promise still holds with moves the plan and flags nothing', async () => {
      await s.create();
      const first = await push('2026-12-04');
      expect(first.statusCode).toBe(201);
      const id = first.json().id as string;
      const later = await push('2026-12-04', { materialAvailableDate: '2026-11-26' });
      expect(later.statusCode).toBe(200);
      expect(later.json()).toMatchObject({ materialAvailableAt: THURSDAY, promiseDate: '2026-12-04', atRisk: null });
      const plan = await s.ok('GET', `orders/${id}/plan`, 'planner');
      expect(Date.parse(plan.operations[0].start)).toBeGreaterThanOrEqual(Date.parse(THURSDAY));
      expect(await atRisk()).toEqual([]);
      expect((await events()).some((e) => e.type === 'order.at-risk')).toBe(false);
      await expectHonest('material later, promise kept');
    });

    it('an earlier material date is news too: recorded even when the promise still cannot be kept, the plan moves earlier', async () => {
      const { id, promiseDate } = await pushedAtEarliest();
      expect((await push(promiseDate, { materialAvailableDate: '2026-11-26' })).statusCode).toBe(200);
      const before = await s.ok('GET', `orders/${id}/plan`, 'planner');
      // Wednesday is earlier than Thursday, yet still too late for a Wednesday promise (480 heat minutes first):
      // refusing it would keep the schedule planning on Thursday's material.
      const earlier = await push(promiseDate, { materialAvailableDate: '2026-11-25' });
      expect(earlier.statusCode).toBe(200);
      expect(earlier.json()).toMatchObject({ materialAvailableAt: '2026-11-24T23:00:00.000Z', promiseDate });
      expect(earlier.json().atRisk).not.toBeNull();
      expect((await atRisk()).map((r) => r.orderId)).toEqual([id]);
      const plan = await s.ok('GET', `orders/${id}/plan`, 'planner');
      expect(Date.parse(plan.operations[0].start)).toBeGreaterThanOrEqual(Date.parse('2026-11-24T23:00:00.000Z'));
      expect(Date.parse(plan.operations[0].start)).toBeLessThan(Date.parse(before.operations[0].start));
      await expectHonest('material earlier, still late');
      // Dropping the material date (material there now) is an earlier date too, and it fits: accepted, back on track.
      const back = await push(promiseDate);
      expect(back.statusCode).toBe(200);
      expect(back.json()).toMatchObject({ materialAvailableAt: null, atRisk: null });
      expect(await atRisk()).toEqual([]);
      await expectHonest('material back');
    });

    it('late material together with a new quantity or promise keeps the commit rule: refused, nothing stored', async () => {
      const { id, promiseDate } = await pushedAtEarliest();
      const stored = await s.ok('GET', `orders/${id}`, 'planner');
      const version = stored.scheduleVersion as number;
      for (const change of [{ quantity: 6 }, { promiseDate: '2026-11-26' }]) {
        const res = await s.call('PUT', 'orders/by-external-id/SO-1', 'erp', {
          sku: 'H',
          quantity: 5,
          promiseDate,
          customer: 'E',
          materialAvailableDate: '2026-11-27',
          ...change,
        });
        expect(res.statusCode, JSON.stringify(change)).toBe(409);
      }
      expect(await s.ok('GET', `orders/${id}`, 'planner')).toEqual({ ...stored, scheduleVersion: version });
      expect(await atRisk()).toEqual([]);
    });
  },
);

// A pinned order (frozen, or in progress on the drum) holds the head of the drum. A frozen order
// whose material is not there yet cannot be worked: the fact is recorded, the order leaves the
// frozen head and is planned from its material date (at risk openly if that breaks its promise),
// so it holds no order behind it. Material already there keeps the pin (guardPinned).
describe.each(realPostgresAvailable() ? (['postgres', 'pglite'] as const) : (['pglite'] as const))(
  'late material on a pinned order on %s',
  (kind) => {
    let t: TestApp;
    let plants = 0;
    beforeAll(async () => {
      t = await buildTestApp({ kind, now: '2026-11-23T08:00:00Z' });
    });
    afterAll(async () => t.close());

    /** One drum (cnc, Mon–Fri) with a 4-hour frozen window; P4 (PB 4) lets Friday's order be released now. */
    async function newPlant() {
      const plant = `matpin-${kind}-${++plants}`;
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
    const get = (plant: string, url: string) =>
      t.app.inject({ method: 'GET', url: `/v1/plants/${plant}/${url}`, headers: t.as('planner') }).then((r) => r.json());

    it('records late material on a frozen order: it leaves the frozen head, waits for its material, and holds no other order back', async () => {
      const plant = await newPlant();
      const x = (await push(plant, 'X', 'P4', '2026-11-27')).json();
      expect((await push(plant, 'Z', 'P2', '2026-11-25')).statusCode).toBe(201);
      const frozen = (await get(plant, 'events?limit=1000')).items.filter((e: Ev) => e.type === 'schedule.frozen');
      expect(frozen.flatMap((e: Ev) => e.data.orderIds)).toContain(x.id);
      const before = await get(plant, 'schedule');
      expect(before.orders.map((o: { customer: string }) => o.customer)).toEqual(['X', 'Z']);
      const zBefore = before.orders.find((o: { customer: string }) => o.customer === 'Z');
      const late = await push(plant, 'X', 'P4', '2026-11-27', { materialAvailableDate: '2026-11-26' });
      // A fact is never refused (DOMAIN.md "Facts and time"): a frozen order whose material is not
      // there cannot be worked, so it is unpinned and planned from its material date.
      expect(late.statusCode).toBe(200);
      expect(late.json()).toMatchObject({ id: x.id, materialAvailableAt: '2026-11-25T23:00:00.000Z', promiseDate: '2026-11-27' });
      const after = await get(plant, 'schedule');
      expect(after.orders.map((o: { customer: string }) => o.customer)).toEqual(['Z', 'X']);
      const zAfter = after.orders.find((o: { customer: string }) => o.customer === 'Z');
      expect(Date.parse(zAfter.plannedFinish)).toBeLessThanOrEqual(Date.parse(zBefore.plannedFinish));
      const plan = await get(plant, `orders/${x.id}/plan`);
      expect(Date.parse(plan.operations[0].start)).toBeGreaterThanOrEqual(Date.parse('2026-11-25T23:00:00Z'));
      const flagged = (await get(plant, 'at-risk')).items as { orderId: string; reason: string }[];
      expect(flagged.filter((f) => f.orderId !== x.id)).toEqual([]);
    });

    it('accepts late material on a frozen order when every promise still holds', async () => {
      const plant = await newPlant();
      const x = (await push(plant, 'X', 'P4', '2026-11-27')).json();
      const late = await push(plant, 'X', 'P4', '2026-11-27', { materialAvailableDate: '2026-11-24' });
      expect(late.statusCode).toBe(200);
      expect(late.json()).toMatchObject({ id: x.id, materialAvailableAt: '2026-11-23T23:00:00.000Z', atRisk: null });
      const plan = await get(plant, `orders/${x.id}/plan`);
      expect(Date.parse(plan.operations[0].start)).toBeGreaterThanOrEqual(Date.parse('2026-11-23T23:00:00Z'));
    });
  },
);
