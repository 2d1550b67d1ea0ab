import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildSecondApp, buildTestApp, type TestApp } from '../helpers/app.ts';
import { realPostgresAvailable } from '../helpers/db.ts';
import { auditPlant } from '../helpers/keepability-review.ts';
import { NOW, routePlantSession } from '../helpers/route-plant.ts';

// Review of the session's changes since 2361122: late material on moving orders (frozen, released,
// in progress), the at-risk 'new-cause' verdict, release refused before the material, overtime
// lowering a late order's drum ready time. Plant: test/helpers/route-plant.ts (heat Mon–Thu 06–14
// → drum Mon–Fri 06–22 → test Mon–Fri 06–14 Berlin; H×5 works 480, 30, 15 minutes; Monday
// 2026-11-23 09:00 Berlin; the earliest H×5 promise is Wednesday). `it.fails` tests are defects.

const kind = realPostgresAvailable() ? 'postgres' : 'pglite';
type Op = { resource: string; minutes: number; start: string; end: string };
type Ev = { type: string; orderId: string | null; scheduleVersion: number; data: Record<string, unknown> };

describe(`session review over HTTP (${kind})`, () => {
  let t: TestApp;
  const s = routePlantSession(() => t, 'sesrv');
  beforeAll(async () => {
    t = await buildTestApp({ now: NOW, kind });
  });
  beforeEach(() => t.clock.set(NOW));
  afterAll(async () => t.close());

  const plantId = () => s.P.split('/').pop()!;
  const push = (ext: string, promiseDate: string, extra: object = {}) =>
    s.call('PUT', `orders/by-external-id/${ext}`, 'erp', { sku: 'H', quantity: 5, promiseDate, customer: 'E', ...extra });
  const atRisk = async () =>
    (await s.ok('GET', 'at-risk', 'planner')).items as { orderId: string; reason: string; resource: string | null }[];
  const events = async () => (await s.ok('GET', 'events?limit=1000', 'planner')).items as Ev[];
  const version = async () => (await s.ok('GET', 'schedule', 'planner')).scheduleVersion as number;
  const opsOf = async (id: string) => (await s.ok('GET', `orders/${id}/plan`, 'planner')).operations as Op[];
  const expectHonest = async (step: string) => {
    const a = await auditPlant(t, plantId(), s.calendars, { sweep: false });
    expect(a.describe(), step).toBe('');
  };
  /** The warm process and a cold one on the same database publish the same order, plans, schedule and at-risk list. */
  const expectColdAgrees = async (ids: string[]) => {
    const snap = async (get: (url: string) => Promise<unknown>) => ({
      orders: await Promise.all(ids.map((id) => get(`orders/${id}`))),
      plans: await Promise.all(ids.map((id) => get(`orders/${id}/plan`))),
      schedule: await get('schedule'),
      plan: await get('plan'),
      atRisk: await get('at-risk'),
    });
    const warm = await snap((url) => s.ok('GET', url, 'planner'));
    const other = await buildSecondApp(t);
    try {
      const cold = await snap(async (url) =>
        (await other.inject({ method: 'GET', url: `${s.P}/${url}`, headers: t.as('planner') })).json(),
      );
      expect(cold).toEqual(warm);
    } finally {
      await other.close();
    }
  };
  const pushedAtEarliest = async (ext = 'SO-1') => {
    const q = await s.ok('POST', 'quotes', 'erp', { sku: 'H', quantity: 5 });
    const first = await push(ext, q.earliestPromiseDate);
    expect(first.statusCode).toBe(201);
    return { id: first.json().id as string, promiseDate: q.earliestPromiseDate as string };
  };

  /** Thursday 2026-11-26 00:00 Berlin. */
  const THURSDAY = '2026-11-25T23:00:00.000Z';

  // Fixed (erp-push.ts: the material fact is the cause only when the plan now ends later). Was DEFECT (medium): a material date that changes nothing relabels an order at risk from a breakdown as
  // `material-late` (resource null: "no capacity helps"), with a new order.at-risk event and a new version.
  // What happens: H×5 promised Wednesday, heat breakdown Mon 09:00 → Tue 14:00 Berlin puts it at risk
  // (reason `breakdown`, heat Wed 06:00 Berlin → test Thu, 375 minutes late). The ERP then pushes
  // materialAvailableDate = today (Monday 00:00 Berlin, before now: the material is there). The plan does
  // not move by a minute, yet the answer, GET …/at-risk and a new `order.at-risk` event say `material-late`,
  // resource null. The same happens with a date earlier than the planned heat start (Tuesday). A planner
  // reading it stops looking for capacity (overtime on heat would help; buying material would not).
  // Should: the flag keeps reason `breakdown` (the fact did not make the order later); no new at-risk event.
  // Repro: pushedAtEarliest, POST breakdowns {heat, 08:00Z → Tue 13:00Z}, PUT by-external-id with
  // materialAvailableDate '2026-11-23'. Suspected cause: src/domain/promising/erp-push.ts pushOrder —
  // recommitAfterLateMaterial fails at the own promise because the order is already late (breakdown), so
  // lateUntil is set and flagOrdersMadeLate(…, 'material-late') runs; judgeRisk's new 'new-cause' verdict
  // (src/planning-rules/at-risk.ts) then takes the named cause without checking that the material fact
  // made the plan later (e.g. material > planned start of the first operation before the push).
  it('a material date already there does not relabel an order at risk from a breakdown as material-late', async () => {
    await s.create();
    const { id, promiseDate } = await pushedAtEarliest();
    expect(
      (
        await s.call('POST', 'breakdowns', 'planner', {
          resource: 'heat',
          start: '2026-11-23T08:00:00Z',
          expectedEnd: '2026-11-24T13:00:00Z',
          reason: 'furnace',
        })
      ).statusCode,
    ).toBe(201);
    expect(await atRisk()).toEqual([expect.objectContaining({ orderId: id, reason: 'breakdown' })]);
    const before = await opsOf(id);
    const n = (await events()).filter((e) => e.type === 'order.at-risk').length;
    const res = await push('SO-1', promiseDate, { materialAvailableDate: '2026-11-23' });
    expect(res.statusCode).toBe(200);
    // The fact is recorded and the plan does not move (true today).
    expect(res.json().materialAvailableAt).toBe('2026-11-22T23:00:00.000Z');
    expect(await opsOf(id)).toEqual(before);
    await expectHonest('material already there');
    // Today: { reason: 'material-late', resource: null } and a second order.at-risk event.
    expect(res.json().atRisk).toMatchObject({ reason: 'breakdown' });
    expect((await events()).filter((e) => e.type === 'order.at-risk').length).toBe(n);
  });

  // Fixed (erp-push.ts materialFactOn: reported progress before the drum records the date, plan kept). Was DEFECT (medium): late material on a released order throws away the floor's progress on its heat.
  // What happens: H×5 (Wednesday) released Monday 09:00 Berlin; at 11:00 the floor reports 120 heat minutes
  // done (plan: 360 left, heat → Tue 09:00). The ERP then pushes material Thursday: the heat is planned
  // again whole (480 minutes) Thursday 06:00–14:00 Berlin, drum Thursday, test Friday, the order at risk
  // `material-late` projected Friday — the recorded floor fact (120 minutes done, the heat under way) is
  // gone from the plan, and the order is flagged for a lateness the floor's facts contradict. Should: like
  // an order in progress on the drum ("records the date and keeps its plan: the work it gates has begun"),
  // an order whose work before the drum has reported progress keeps it (360 minutes left, not moved after
  // the material). Repro: release, clock 10:00Z, POST orders/{id}/operations/0/progress {minutesDone: 120},
  // PUT by-external-id materialAvailableDate '2026-11-26', GET orders/{id}/plan. Suspected cause:
  // src/domain/promising/reserve.ts recommitRoute `beforeMaterial` (materialFact) only looks at planned
  // starts (op.start < material) and plans the work before the drum again from d.steps' full minutes,
  // ignoring reported operation progress; erp-push.ts materialFactOn (then materialOnPinned) returns 'record' only for in_progress.
  it('late material on a released order whose heat the floor reported under way keeps the reported progress', async () => {
    await s.create();
    const { id, promiseDate } = await pushedAtEarliest();
    await s.ok('POST', `orders/${id}/release`, 'planner', {});
    t.clock.set('2026-11-23T10:00:00Z');
    await s.ok('POST', `orders/${id}/operations/0/progress`, 'planner', { minutesDone: 120 });
    const [heat0] = await opsOf(id);
    expect(heat0).toMatchObject({ resource: 'heat', minutes: 360 });
    const late = await push('SO-1', promiseDate, { materialAvailableDate: '2026-11-26' });
    expect(late.statusCode).toBe(200);
    await expectColdAgrees([id]);
    const [heat] = await opsOf(id);
    // Today: { minutes: 480, start: Thursday 05:00Z } and atRisk material-late.
    expect(heat!.minutes).toBe(360);
    expect(Date.parse(heat!.start)).toBeLessThan(Date.parse(THURSDAY));
  });

  // Fixed (operation-progress.ts materialHereByReport: the report is the fact that the material is here). Was DEFECT (low): the floor can start an order the release refuses, and the plan then ignored the start.
  // What happens: material pushed late (Thursday); POST …/release answers 409 materialAvailableAt, but
  // POST …/operations/0/progress {status: 'started'} (erp or floor key) is accepted, makes the order
  // `released` (releasedAt now), and the published plan still starts the heat Thursday 06:00 Berlin, the
  // order at risk `material-late`. Either the report is a fact (the material was there: the heat runs from
  // now and the order is not late) or the release rule holds; today the two facts disagree and the plan
  // shows neither the start nor a refusal. Should: the started operation is planned from the report on
  // ("planned from the report on (never in the past)", operation progress contract). Repro: push at
  // earliest, push materialAvailableDate '2026-11-26', POST operations/0/progress {status:'started'},
  // GET orders/{id}/plan. Suspected cause: src/domain/planning (reportOperationProgress) places the
  // remaining minutes from max(now, material) and does not apply the release's material rule either.
  it('a heat start reported on an order whose material is late is planned from the report', async () => {
    await s.create();
    const { id, promiseDate } = await pushedAtEarliest();
    expect((await push('SO-1', promiseDate, { materialAvailableDate: '2026-11-26' })).statusCode).toBe(200);
    expect((await atRisk()).map((r) => [r.orderId, r.reason])).toEqual([[id, 'material-late']]);
    expect((await s.call('POST', `orders/${id}/release`, 'planner', {})).statusCode).toBe(409);
    const versionBefore = await version();
    const pr = await s.call('POST', `orders/${id}/operations/0/progress`, 'erp', { status: 'started' });
    expect(pr.statusCode).toBe(200);
    expect(pr.json().status).toBe('released');
    const [heat, drum, test] = await opsOf(id);
    // Was: heat 2026-11-26T05:00Z → 13:00Z (after the expected material), the order at risk material-late.
    expect(heat!.start).toBe(NOW.replace('Z', '.000Z'));
    expect(Date.parse(drum!.start)).toBeGreaterThanOrEqual(Date.parse(heat!.end));
    expect(Date.parse(test!.end)).toBeLessThan(Date.parse(THURSDAY));
    expect(await atRisk()).toEqual([]);
    // One version: the material fact, the release and the report together.
    expect(await version()).toBe(versionBefore + 1);
    const progress = (await events()).find((e) => e.type === 'order.operation-progress' && e.orderId === id)!;
    expect(progress.data.materialExpectedAt).toBe('2026-11-25T23:00:00.000Z');
    // The ERP's next push of the same (now stale) date records it and keeps the plan the floor started.
    expect((await push('SO-1', promiseDate, { materialAvailableDate: '2026-11-26' })).statusCode).toBe(200);
    expect((await opsOf(id))[0]!.start).toBe(heat!.start);
    await expectHonest('heat started before the expected material');
    await expectColdAgrees([id]);
  });

  // Found by the reviewer of the fix above: the report re-planned the order on today's product (routing,
  // lead time, limits) where every other re-plan of a promised order uses its snapshot; so did an ERP
  // material-date push. A material fact changes when the work may start, never what the work is.
  const routingH = (heat: number, drum: number) => ({
    name: 'H',
    routing: [
      { resource: 'heat', setupMinutes: 0, runMinutesPerUnit: heat },
      { resource: 'drum', setupMinutes: 0, runMinutesPerUnit: drum },
      { resource: 'test', setupMinutes: 0, runMinutesPerUnit: 3 },
    ],
  });
  const lateMaterialOrder = async () => {
    await s.create();
    const o = await pushedAtEarliest();
    expect((await push('SO-1', o.promiseDate, { materialAvailableDate: '2026-11-26' })).statusCode).toBe(200);
    return o;
  };

  it('a heat start after the lead time was raised plans the order as promised, not a week later', async () => {
    const { id } = await lateMaterialOrder();
    await s.ok('PUT', 'buffer-policy', 'admin', { productionBufferDays: 2, shippingBufferDays: 1, standardLeadTimeDays: 8 });
    expect((await s.call('POST', `orders/${id}/operations/0/progress`, 'planner', { status: 'started' })).statusCode).toBe(200);
    const [heat, , test] = await opsOf(id);
    expect(heat!.start).toBe(NOW.replace('Z', '.000Z'));
    expect(Date.parse(test!.end)).toBeLessThan(Date.parse(THURSDAY));
    expect(await atRisk()).toEqual([]);
    await expectHonest('lead time raised, then the heat started');
  });

  it('a heat start keeps the order on its promised routing, even when the product left the drum since', async () => {
    const { id } = await lateMaterialOrder();
    await s.ok('PUT', 'products/H', 'admin', routingH(200, 20));
    expect((await s.call('POST', `orders/${id}/operations/0/progress`, 'planner', { minutesDone: 60 })).statusCode).toBe(200);
    expect((await s.ok('GET', `orders/${id}`, 'planner')).drumLoadMinutes).toBe(30);
    expect((await opsOf(id)).map((o) => o.minutes)).toEqual([420, 30, 15]);
    const noDrum = routingH(96, 6);
    await s.ok('PUT', 'products/H', 'admin', { ...noDrum, routing: noDrum.routing.filter((r) => r.resource !== 'drum') });
    expect((await s.call('POST', `orders/${id}/operations/0/progress`, 'planner', { minutesDone: 120 })).statusCode).toBe(200);
  });

  it('an ERP material date after the lead time was raised plans the order as promised', async () => {
    await s.create();
    const { id, promiseDate } = await pushedAtEarliest();
    await s.ok('PUT', 'buffer-policy', 'admin', { productionBufferDays: 2, shippingBufferDays: 1, standardLeadTimeDays: 8 });
    expect((await push('SO-1', promiseDate, { materialAvailableDate: '2026-11-24' })).statusCode).toBe(200);
    const [heat, , test] = await opsOf(id);
    expect(Date.parse(heat!.start)).toBeGreaterThanOrEqual(Date.parse('2026-11-23T23:00:00Z'));
    expect(Date.parse(test!.end)).toBeLessThan(Date.parse('2026-11-26T23:00:00Z'));
    expect((await atRisk()).map((r) => r.reason)).not.toContain('material-late');
  });

  // DEFECT (medium-high, found by the reviewer; older than the material fix): work before the drum the
  // floor started ahead of the rope is still planned from the rope on (engine earlierStart bounds it by the
  // planned release, test/engine/route-book.started-ahead.test.ts on purpose), so the resource's time now,
  // which the floor is using, stays free in the plan and a new order can be promised on it.
  // Fix direction: a report that releases the order (or any start report) lifts the rope bound for the
  // started operation, keeping the bound of its predecessors.
  it.fails('a heat started on an order promised a week out is planned from the report, and no new order books that heat time', async () => {
    await s.create();
    const id = (await push('SO-1', '2026-12-02')).json().id as string;
    expect((await s.call('POST', `orders/${id}/operations/0/progress`, 'planner', { status: 'started' })).statusCode).toBe(200);
    const [heat] = await opsOf(id);
    expect(heat!.start).toBe(NOW.replace('Z', '.000Z'));
    const q = await s.ok('POST', 'quotes', 'erp', { sku: 'H', quantity: 5 });
    const two = (await push('SO-2', q.earliestPromiseDate)).json().id as string;
    const [heat2] = await opsOf(two);
    expect(Date.parse(heat2!.start)).toBeGreaterThanOrEqual(Date.parse(heat!.end));
  });

  // DEFECT (medium, found by the reviewer): a drum report on a confirmed order whose material is late (its
  // heat not reported) leaves the heat planned after the expected material and the rest of the drum work
  // behind it, the order at risk progress-behind and the drum idle until then. Fix direction: treat a drum
  // report as the material fact too (materialHereByReport), with the work before the drum taken as done.
  it.fails('a drum report on an order whose material is late plans its remaining drum work from the report', async () => {
    const { id } = await lateMaterialOrder();
    expect((await s.call('POST', `orders/${id}/operations/1/progress`, 'planner', { minutesDone: 5 })).statusCode).toBe(200);
    const [, drum] = await opsOf(id);
    expect(Date.parse(drum!.start)).toBeLessThan(Date.parse(THURSDAY));
    expect(await atRisk()).toEqual([]);
  });

  // Found by the review as a defect (the checker took the material date learnt after the work began as a
  // release rule): the README keeps the plan of an order in progress, and the checker now reads it so.
  it('an order in progress given a late material date still passes the plan checker', async () => {
    await s.create();
    const { id, promiseDate } = await pushedAtEarliest();
    await s.ok('POST', `orders/${id}/release`, 'planner', {});
    t.clock.set('2026-11-24T08:10:00Z');
    await s.ok('POST', `orders/${id}/progress`, 'planner', { drumMinutesDone: 10 });
    expect((await push('SO-1', promiseDate, { materialAvailableDate: '2026-11-27' })).statusCode).toBe(200);
    await expectHonest('in progress, material recorded later');
  });

  it('late material on an order in progress: recorded, plan kept, one version with order.updated only, retry no-op, cold agrees, later progress keeps the plan', async () => {
    await s.create();
    const { id, promiseDate } = await pushedAtEarliest();
    await s.ok('POST', `orders/${id}/release`, 'planner', {});
    t.clock.set('2026-11-24T08:10:00Z');
    await s.ok('POST', `orders/${id}/progress`, 'planner', { drumMinutesDone: 10 });
    const before = await opsOf(id);
    const v = await version();
    const late = await push('SO-1', promiseDate, { materialAvailableDate: '2026-11-27' });
    expect(late.statusCode).toBe(200);
    expect(late.json()).toMatchObject({ status: 'in_progress', materialAvailableAt: '2026-11-26T23:00:00.000Z', atRisk: null });
    expect(late.json().scheduleVersion).toBe(v + 1);
    expect(await opsOf(id)).toEqual(before);
    const inVersion = (await events()).filter((e) => e.scheduleVersion === v + 1);
    expect(inVersion.map((e) => [e.type, e.orderId])).toEqual([['order.updated', id]]);
    expect(inVersion[0]!.data).toMatchObject({ via: 'erp-push', change: 'other' });
    // The same push again: no version, no event, the same answer.
    const n = (await events()).length;
    const again = await push('SO-1', promiseDate, { materialAvailableDate: '2026-11-27' });
    expect(again.json()).toEqual(late.json());
    expect(await version()).toBe(v + 1);
    expect((await events()).length).toBe(n);
    await expectColdAgrees([id]);
    // More drum progress, a drum breakdown and a re-promise do not move the drum work after the material date.
    t.clock.set('2026-11-24T08:20:00Z');
    await s.ok('POST', `orders/${id}/progress`, 'planner', { drumMinutesDone: 20 });
    await s.ok('POST', 'breakdowns', 'planner', {
      resource: 'drum',
      start: '2026-11-24T08:20:00Z',
      expectedEnd: '2026-11-24T09:00:00Z',
      reason: 'x',
    });
    await s.ok('POST', `orders/${id}/repromise`, 'planner', { promiseDate: '2026-12-01', reason: 'customer asked' });
    const [, drum] = await opsOf(id);
    expect(drum).toMatchObject({ resource: 'drum', minutes: 10, start: '2026-11-24T09:00:00.000Z' });
    expect(await atRisk()).toEqual([]);
    await expectColdAgrees([id]);
  });

  it('late material on a frozen order: unpinned and behind; the retry changes nothing; material back: on time, honest, a cold process agrees', async () => {
    await s.create({ productionBufferDays: 2, shippingBufferDays: 1, standardLeadTimeDays: 2, frozenWindowMinutes: 240 });
    const q = await s.ok('POST', 'quotes', 'erp', { sku: 'D', quantity: 2 });
    const d = { sku: 'D', quantity: 2 };
    const x = (await push('X', q.earliestPromiseDate, d)).json();
    const y = (await push('Y', q.earliestPromiseDate, d)).json();
    const frozen = (await events()).filter((e) => e.type === 'schedule.frozen').flatMap((e) => e.data.orderIds as string[]);
    expect(frozen).toContain(x.id);
    const order = async () => ((await s.ok('GET', 'schedule', 'planner')).orders as { id: string }[]).map((o) => o.id);
    expect(await order()).toEqual([x.id, y.id]);
    const late = await push('X', q.earliestPromiseDate, { ...d, materialAvailableDate: '2026-11-24' });
    expect(late.statusCode).toBe(200);
    expect(late.json()).toMatchObject({ materialAvailableAt: '2026-11-23T23:00:00.000Z', atRisk: null });
    expect(await order()).toEqual([y.id, x.id]);
    const [xop] = await opsOf(x.id);
    expect(Date.parse(xop!.start)).toBeGreaterThanOrEqual(Date.parse('2026-11-23T23:00:00Z'));
    await expectHonest('frozen, material late');
    const v = await version();
    expect((await push('X', q.earliestPromiseDate, { ...d, materialAvailableDate: '2026-11-24' })).json()).toEqual(late.json());
    expect(await version()).toBe(v);
    await expectColdAgrees([x.id, y.id]);
    const back = await push('X', q.earliestPromiseDate, d);
    expect(back.statusCode).toBe(200);
    expect(back.json()).toMatchObject({ materialAvailableAt: null, atRisk: null });
    expect(await atRisk()).toEqual([]);
    expect((await auditPlant(t, plantId(), s.calendars, { sweep: true })).describe()).toBe('');
    await expectColdAgrees([x.id, y.id]);
  });

  it('release list and release with late material: not listed before the material, refused 409 with nothing written, released once it is there', async () => {
    await s.create();
    const { id, promiseDate } = await pushedAtEarliest();
    expect(((await s.ok('GET', 'release-list', 'planner')).items as { orderId: string }[]).map((i) => i.orderId)).toEqual([id]);
    expect((await push('SO-1', promiseDate, { materialAvailableDate: '2026-11-26' })).statusCode).toBe(200);
    // Today's list no longer tells the floor to release it; Thursday's does, not before the material.
    expect((await s.ok('GET', 'release-list', 'planner')).items).toEqual([]);
    const thursday = (await s.ok('GET', 'release-list?date=2026-11-26', 'planner')).items as { orderId: string; plannedRelease: string }[];
    expect(thursday.map((i) => i.orderId)).toEqual([id]);
    expect(Date.parse(thursday[0]!.plannedRelease)).toBeGreaterThanOrEqual(Date.parse(THURSDAY));
    const v = await version();
    const n = (await events()).length;
    for (const role of ['planner', 'erp'] as const) {
      const res = await s.call('POST', `orders/${id}/release`, role, { reason: 'try' });
      expect(res.statusCode, role).toBe(409);
      expect(res.json()).toMatchObject({ materialAvailableAt: THURSDAY });
    }
    expect(await version()).toBe(v);
    expect((await events()).length).toBe(n);
    // Thursday 06:00 Berlin: the material is there, the rope says release.
    t.clock.set('2026-11-26T05:00:00Z');
    const rel = await s.call('POST', `orders/${id}/release`, 'planner', {});
    expect(rel.statusCode, rel.body).toBe(200);
    expect(rel.json().status).toBe('released');
    expect((await auditPlant(t, plantId(), s.calendars, { sweep: true })).describe()).toBe('');
  });

  it('a released order given late material stays after it when a cancellation ahead frees capacity; honest; a cold process agrees', async () => {
    await s.create();
    const a = await pushedAtEarliest('SO-A');
    const b = await pushedAtEarliest('SO-B');
    await s.ok('POST', `orders/${b.id}/release`, 'planner', { reason: 'early' });
    expect((await push('SO-B', b.promiseDate, { materialAvailableDate: '2026-11-25' })).statusCode).toBe(200);
    const [heat] = await opsOf(b.id);
    expect(Date.parse(heat!.start)).toBeGreaterThanOrEqual(Date.parse('2026-11-24T23:00:00Z'));
    await s.ok('POST', `orders/${a.id}/cancel`, 'planner', { reason: 'customer cancelled' });
    const [heat2] = await opsOf(b.id);
    expect(Date.parse(heat2!.start)).toBeGreaterThanOrEqual(Date.parse('2026-11-24T23:00:00Z'));
    await expectHonest('after the cancel');
    await expectColdAgrees([b.id]);
  });

  it('late material on a released order none of whose work began: planned whole after it, at risk openly, honest, cold agrees', async () => {
    await s.create();
    const { id, promiseDate } = await pushedAtEarliest();
    await s.ok('POST', `orders/${id}/release`, 'planner', {});
    const late = await push('SO-1', promiseDate, { materialAvailableDate: '2026-11-26' });
    expect(late.statusCode).toBe(200);
    expect(late.json()).toMatchObject({ status: 'released', atRisk: expect.objectContaining({ reason: 'material-late', resource: null }) });
    const ops = await opsOf(id);
    expect(Date.parse(ops[0]!.start)).toBeGreaterThanOrEqual(Date.parse(THURSDAY));
    // The fact's own version: the order's update and its at-risk event (beside the tick's schedule.time-passed).
    const ev = (await events()).filter((e) => e.orderId === id && e.scheduleVersion === late.json().scheduleVersion).map((e) => e.type);
    expect(ev.sort()).toEqual(['order.at-risk', 'order.updated']);
    await expectHonest('released, material late');
    await expectColdAgrees([id]);
    // Material back to Monday: on track again, the flag cleared with order.on-track.
    const back = await push('SO-1', promiseDate, { materialAvailableDate: '2026-11-23' });
    expect(back.json().atRisk).toBeNull();
    expect((await events()).some((e) => e.type === 'order.on-track' && e.scheduleVersion === back.json().scheduleVersion)).toBe(true);
    await expectHonest('released, material back');
  });

  /** A new plant with four H×5 orders confirmed at their earliest dates (Wed, Thu, Fri, Tue 1 Dec). */
  const fourConfirmed = async () => {
    await s.create();
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const hold = await s.ok('POST', 'holds', 'sales', { sku: 'H', quantity: 5, customer: `C${i}` });
      await s.ok('POST', `holds/${hold.id}/confirm`, 'sales', {});
      ids.push(hold.id);
    }
    return ids;
  };
  /** fourConfirmed, then a day passes without release: Friday's order at risk. */
  const fridayAtRisk = async () => {
    const ids = await fourConfirmed();
    t.clock.set('2026-11-24T08:00:00Z');
    expect((await auditPlant(t, plantId(), s.calendars, { sweep: true })).atRisk.map((r) => r.orderId)).toEqual([ids[2]]);
    return ids[2]!;
  };
  const partial = { resource: 'heat', kind: 'overtime', date: '2026-11-26', start: '14:00', end: '16:00', reason: 'partial rescue' };

  it('partial heat overtime: preview and write agree, the late order’s drum work comes forward, honest, cold agrees', async () => {
    const friday = await fridayAtRisk();
    const preview = await s.ok('POST', 'capacity-changes?preview=true', 'planner', partial);
    const write = await s.ok('POST', 'capacity-changes', 'planner', partial);
    s.calendars.heat = { ...s.calendars.heat!, exceptions: [{ kind: 'overtime', date: '2026-11-26', start: '14:00', end: '16:00' }] };
    const strip = (o: Record<string, unknown>) => ({ late: o.late, stillLate: o.stillLate, moved: o.moved, minutesDelta: o.minutesDelta });
    expect(strip(write)).toEqual(strip(preview));
    const [heat, drum, test] = await opsOf(friday);
    expect(heat!.end).toBe('2026-11-30T06:30:00.000Z');
    expect(drum!.start).toBe('2026-11-30T06:30:00.000Z');
    expect(Date.parse(test!.end)).toBeLessThanOrEqual(Date.parse('2026-11-30T08:00:00Z'));
    expect(await atRisk()).toEqual([expect.objectContaining({ orderId: friday, reason: 'resource', resource: 'heat' })]);
    await expectHonest('partial overtime');
    await expectColdAgrees([friday]);
  });

  // Found by the review as a defect (the preview said `moved: []` off the drum while the write moved the
  // order): off the drum, `moved` lists the orders whose plan the repair changes, with the span of the plan.
  /** The stretch of a plan that moved (what `moved` reports off the drum): the operations whose start or end differs. */
  const stretch = (before: Op[], after: Op[]) => {
    const k = before.map((_, i) => i).filter((i) => before[i]!.start !== after[i]!.start || before[i]!.end !== after[i]!.end);
    const span = (ops: Op[]) => ({
      start: new Date(Math.min(...k.map((i) => Date.parse(ops[i]!.start)))).toISOString(),
      finish: new Date(Math.max(...k.map((i) => Date.parse(ops[i]!.end)))).toISOString(),
    });
    return { before: span(before), after: span(after) };
  };

  it('partial heat overtime: the preview and the answer list the order it moves, as the what-if and the event do', async () => {
    const friday = await fridayAtRisk();
    const planBefore = await opsOf(friday);
    const preview = await s.ok('POST', 'capacity-changes?preview=true', 'planner', partial);
    const sc = await s.ok('POST', 'scenarios', 'planner', { name: 'p', operations: [{ type: 'capacity-change', change: partial }] });
    const whatIf = await s.ok('GET', `scenarios/${sc.id}/evaluation`, 'planner');
    expect((whatIf.ordersMoved as { orderId: string }[]).map((m) => m.orderId)).toEqual([friday]);
    expect(preview.movedCount).toBe(1);
    const write = await s.ok('POST', 'capacity-changes', 'planner', partial);
    expect(write.moved).toEqual(preview.moved);
    expect(write.movedCount).toBe(1);
    const planAfter = await opsOf(friday);
    expect(write.moved).toEqual([{ orderId: friday, ...stretch(planBefore, planAfter) }]);
    const m = (write.moved as { before: { finish: string }; after: { finish: string } }[])[0]!;
    expect(Date.parse(m.after.finish)).toBeLessThan(Date.parse(m.before.finish));
    const changed = (await events()).find((e) => e.type === 'capacity.changed')!;
    expect(changed.data).toMatchObject({ moved: 1, replanned: [friday] });
  });

  // Found by the reviewer of the change above: with the whole plan's span, an order whose heat ends
  // 2 hours earlier while its drum and test stay put was listed with equal before and after.
  it('heat overtime that only shortens an order’s heat lists the heat’s move, not an unchanged span', async () => {
    const ids = await fourConfirmed();
    const before = new Map(await Promise.all(ids.map(async (id) => [id, await opsOf(id)] as const)));
    const change = { resource: 'heat', kind: 'overtime', date: '2026-11-24', start: '14:00', end: '16:00', reason: 'shorter heat' };
    const preview = await s.ok('POST', 'capacity-changes?preview=true', 'planner', change);
    const write = await s.ok('POST', 'capacity-changes', 'planner', change);
    expect(write.moved).toEqual(preview.moved);
    const moved = write.moved as { orderId: string; before: { start: string; finish: string }; after: { start: string; finish: string } }[];
    expect(moved.length).toBeGreaterThan(0);
    for (const m of moved) {
      expect(m.after, m.orderId).not.toEqual(m.before);
      expect(m).toEqual({ orderId: m.orderId, ...stretch(before.get(m.orderId)!, await opsOf(m.orderId)) });
    }
  });

  // Found by a reviewer: the preview decided on the plan without the time that passed since the last
  // write (the write and GET …/plan apply it first), so after a night with no write it could say
  // `late: []` for a change the write then refused with 409 naming the orders it makes late.
  it('a capacity preview after time passed with no write answers as the write then does', async () => {
    await fourConfirmed();
    t.clock.set('2026-11-24T10:00:00Z'); // Tuesday 11:00 Berlin: nothing released, work overdue
    const downtime = { resource: 'heat', kind: 'downtime', date: '2026-11-24', start: '12:00', end: '14:00', reason: 'furnace' };
    const preview = await s.ok('POST', 'capacity-changes?preview=true', 'planner', downtime);
    const write = await s.call('POST', 'capacity-changes', 'planner', downtime);
    const lateIds = (late: unknown) => (late as { orderId: string }[]).map((l) => l.orderId).sort();
    expect(write.statusCode, write.body).toBe(409);
    expect([...(write.json().ordersLosingCapacity as string[])].sort()).toEqual(lateIds(preview.late));
  });

  it('a revoke preview after time passed with no write answers as the revoke then does', async () => {
    await fourConfirmed();
    const overtime = { resource: 'heat', kind: 'overtime', date: '2026-11-24', start: '14:00', end: '20:00', reason: 'catch up' };
    const added = await s.ok('POST', 'capacity-changes', 'planner', overtime);
    t.clock.set('2026-11-24T10:00:00Z');
    const url = `capacity-changes/${added.change.id}`;
    const preview = await s.ok('DELETE', `${url}?preview=true`, 'planner', { reason: 'not after all' });
    const revoke = await s.call('DELETE', url, 'planner', { reason: 'not after all' });
    const lateIds = (late: unknown) => (late as { orderId: string }[]).map((l) => l.orderId).sort();
    expect(revoke.statusCode, revoke.body).toBe(409);
    expect([...(revoke.json().ordersLosingCapacity as string[])].sort()).toEqual(lateIds(preview.late));
  });

  // DEFECTS found by the reviewer of the two tests above (the preview still differs from the write there):
  // - on the drum, an order the drum diff lists as stillLate (at risk after a night with no write) is left
  //   out of the preview's `late`, while the write refuses the change naming it (assertRoutesKeepable judges
  //   it against its effective deadline). Suspected cause: evaluateTarget drops route-late orders in
  //   plan.stillLate from `losing`; the write's later route check does not.
  // - a hold that expired with no write since: the write expires it and recovers an at-risk order on the
  //   freed capacity (recoverAtRisk) before deciding; the preview only leaves the hold out (forRead).
  // The fix that makes both agree by construction: a preview runs the write itself in a rolled-back
  // simulation (ScheduleWriter.simulate) and answers with its outcome or its refusal's list.
  const refusedIds = (b: { lateOrders?: { orderId: string }[]; ordersLosingCapacity?: string[] }) =>
    [...new Set([...(b.lateOrders ?? []).map((l) => l.orderId), ...(b.ordersLosingCapacity ?? [])])].sort();
  const previewLateIds = (late: unknown) => (late as { orderId: string }[]).map((l) => l.orderId).sort();

  it.fails('a drum preview after a night with no write lists the at-risk order the write refuses the change for', async () => {
    await fourConfirmed();
    t.clock.set('2026-11-25T06:00:00Z'); // Wednesday 07:00 Berlin, nothing released
    const downtime = { resource: 'drum', kind: 'downtime', date: '2026-11-26', start: '06:00', end: '22:00', reason: 'x' };
    const preview = await s.ok('POST', 'capacity-changes?preview=true', 'planner', downtime);
    const write = await s.call('POST', 'capacity-changes', 'planner', downtime);
    expect(write.statusCode).toBe(409);
    expect(previewLateIds(preview.late)).toEqual(refusedIds(write.json()));
  });

  it.fails('a preview after a hold expired with no write decides as the write does, after recovering at-risk orders', async () => {
    await s.create();
    await s.ok('POST', 'holds', 'sales', { sku: 'H', quantity: 5, customer: 'A', ttlSeconds: 3600 });
    const b = await s.ok('POST', 'holds', 'sales', { sku: 'H', quantity: 5, customer: 'B' });
    await s.ok('POST', `holds/${b.id}/confirm`, 'sales', {});
    const breakdown = { resource: 'heat', start: '2026-11-23T08:00:00Z', expectedEnd: '2026-11-24T13:00:00Z', reason: 'furnace' };
    await s.ok('POST', 'breakdowns', 'planner', breakdown);
    t.clock.set('2026-11-23T09:30:00Z'); // A expired, B at risk, no write since
    const downtime = { resource: 'heat', kind: 'downtime', date: '2026-11-25', start: '06:00', end: '14:00', reason: 'x' };
    const preview = await s.ok('POST', 'capacity-changes?preview=true', 'planner', downtime);
    const write = await s.call('POST', 'capacity-changes', 'planner', downtime);
    expect(write.statusCode).toBe(409);
    expect(previewLateIds(preview.late)).toEqual(refusedIds(write.json()));
  });
});
