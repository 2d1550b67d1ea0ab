import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/domain/api-keys.ts';
import { flagOrdersMadeLate } from '../../src/domain/schedule/at-risk.ts';
import { sweepExpiredHolds } from '../../src/domain/schedule/hold-sweeper.ts';
import type { ScheduleWriter } from '../../src/domain/schedule/schedule-writer.ts';
import { buildApp, newScheduleWriter, type App } from '../../src/http/app.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { realPostgresAvailable } from '../helpers/db.ts';

// Issue 13 item 3: an order that nobody releases becomes at risk as the clock moves, flagged
// once on the order through the write path (however many processes sweep), shown to the
// planner (at-risk list, schedule, buffer board) and to its salesperson (order view, own feed),
// and on track again after a re-promise.

const days = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const always = { weekly: days.map((day) => ({ day, start: '00:00', end: '24:00' })), exceptions: [] };
const P = '/v1/plants/risk';

interface Ev {
  seq: number;
  scheduleVersion: number;
  type: string;
  orderId: string | null;
  data: Record<string, unknown>;
}

describe.each(realPostgresAvailable() ? (['pglite', 'postgres'] as const) : (['pglite'] as const))('at-risk orders on %s', (kind) => {
  let t: TestApp;
  let second: { app: App; writer: ScheduleWriter };
  let otherSales = '';
  const ids: Record<'A' | 'B' | 'C', string> = { A: '', B: '', C: '' };

  const call = (app: App, method: 'GET' | 'POST' | 'PUT', url: string, authorization: string, payload?: object) =>
    app.inject({ method, url, headers: { authorization: `Bearer ${authorization}` }, ...(payload ? { payload } : {}) });
  const ok = async (method: 'GET' | 'POST' | 'PUT', url: string, key: string, payload?: object, app: App = t.app) => {
    const res = await call(app, method, url, key, payload);
    if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
    return res.json();
  };
  const events = async (): Promise<Ev[]> => (await ok('GET', `${P}/events?limit=1000`, t.keys.planner)).items;
  const sweepBoth = () =>
    Promise.all([
      sweepExpiredHolds({ ...t.writer.deps, writer: t.writer }),
      sweepExpiredHolds({ ...second.writer.deps, writer: second.writer }),
    ]);

  /** Cut → drum, every minute of every day (UTC); product W: 60 minutes a unit on each; PB 1 day, no shipping buffer. */
  async function plant(id: string, policy: object = {}) {
    const admin = t.keys.admin;
    const at = `/v1/plants/${id}`;
    await ok('POST', '/v1/plants', admin, { id, name: id, timeZone: 'UTC' });
    await ok('PUT', `${at}/resources/cut`, admin, { name: 'Cut', drum: false, calendar: always });
    await ok('PUT', `${at}/resources/drum`, admin, { name: 'Drum', drum: true, calendar: always });
    await ok('PUT', `${at}/products/W`, admin, {
      name: 'W',
      routing: [
        { resource: 'cut', setupMinutes: 0, runMinutesPerUnit: 60 },
        { resource: 'drum', setupMinutes: 0, runMinutesPerUnit: 60 },
      ],
    });
    await ok('PUT', `${at}/buffer-policy`, admin, { productionBufferDays: 1, shippingBufferDays: 0, standardLeadTimeDays: 0, ...policy });
  }

  beforeAll(async () => {
    t = await buildTestApp({ kind, now: '2026-11-23T08:00:00Z' });
    // A second instance on the same database: its own write path and engine cache, the same clock.
    const writer = newScheduleWriter({ db: t.db.db, clock: t.clock, listen: t.db.listen });
    const app = await buildApp({ db: t.db.db, clock: t.clock, maxOrderQuantity: 100_000, listen: t.db.listen, writer });
    await app.ready();
    second = { app, writer };
    otherSales = (await createApiKey(t.db.db, { name: 'other sales', role: 'sales', plantIds: null })).key;
    await plant('risk');
    // Cut 5 h, then drum 5 h each; released (rope) one working day before the promise.
    const order = async (promiseDate: string, key: string) =>
      (await ok('POST', `${P}/orders`, key, { sku: 'W', quantity: 5, promiseDate, customer: 'c' })).id as string;
    ids.B = await order('2026-11-24', t.keys.sales);
    ids.A = await order('2026-11-25', t.keys.sales);
    ids.C = await order('2026-11-26', otherSales);
  });
  afterAll(async () => {
    await second?.app.close();
    await t?.close();
  });

  /** an order overdue for release stays on track while its plan still ends within its promised day */
  const step1 = async () => {
    t.clock.set('2026-11-23T12:00:00Z'); // B's cut should have started at 08:00
    await sweepBoth();
    const passed = (await events()).filter((e) => e.type === 'schedule.time-passed');
    expect(passed).toHaveLength(1);
    expect(passed[0]!.data.overdueOrderIds).toEqual([ids.B]);
    expect((await events()).filter((e) => e.type === 'order.at-risk')).toEqual([]);
    expect((await ok('GET', `${P}/at-risk`, t.keys.planner)).items).toEqual([]);
  };

  /** as the clock moves and nothing is released, the orders become at risk: one event each, whichever instance sweeps */
  const step2 = async () => {
    t.clock.set('2026-11-25T20:00:00Z');
    // Both instances hold the plant in memory, then both sweep at the same minute.
    await ok('GET', `${P}/schedule`, t.keys.planner, undefined, second.app);
    await ok('GET', `${P}/schedule`, t.keys.planner);
    await sweepBoth();
    await sweepBoth();
    const risky = (await events()).filter((e) => e.type === 'order.at-risk');
    expect(risky.map((e) => e.orderId).sort()).toEqual([ids.A, ids.B].sort());
    for (const e of risky) expect(e.data).toMatchObject({ reason: 'release-overdue', resource: null });
    // The amended invariant: every order the fact (time passing) made late is at risk in the fact's own version.
    const passed = (await events()).filter((e) => e.type === 'schedule.time-passed' && e.scheduleVersion === risky[0]!.scheduleVersion);
    expect(passed).toHaveLength(1);
    expect(risky.every((e) => e.scheduleVersion === passed[0]!.scheduleVersion)).toBe(true);
    expect((passed[0]!.data.atRisk as { orderId: string }[]).map((r) => r.orderId).sort()).toEqual([ids.A, ids.B].sort());
    const list = (await ok('GET', `${P}/at-risk`, t.keys.planner)).items as { orderId: string; lateByMinutes: number }[];
    // Most late first: B was promised a day earlier than A, and C still ends within its day.
    expect(list.map((i) => i.orderId)).toEqual([ids.B, ids.A]);
    expect(list[0]!.lateByMinutes).toBeGreaterThan(list[1]!.lateByMinutes);
    expect(list[1]!.lateByMinutes).toBeGreaterThan(0);
  };

  /** The amended invariant through the API: a new order after time made A and B late makes neither later and C not late. */
  const ordinaryWriteAfterTheFact = async () => {
    const finish = async (id: string) => {
      const ops = (await ok('GET', `${P}/orders/${id}/plan`, t.keys.planner)).operations as { end: string | null }[];
      return Math.max(...ops.map((op) => Date.parse(op.end!)));
    };
    const before = { A: await finish(ids.A), B: await finish(ids.B), C: await finish(ids.C) };
    const q = await ok('POST', `${P}/quotes`, t.keys.sales, { sku: 'W', quantity: 5 });
    const hold = await ok('POST', `${P}/holds`, otherSales, { sku: 'W', quantity: 5, customer: 'new' });
    expect(hold.promiseDate).toBe(q.earliestPromiseDate);
    expect(await finish(ids.A)).toBeLessThanOrEqual(before.A);
    expect(await finish(ids.B)).toBeLessThanOrEqual(before.B);
    expect(await finish(ids.C)).toBeLessThanOrEqual(Date.parse('2026-11-27T00:00:00Z')); // C still ends within its promised day
    expect(hold.atRisk).toBeNull();
    const released = await t.app.inject({
      method: 'DELETE',
      url: `${P}/holds/${hold.id}`,
      headers: { authorization: `Bearer ${otherSales}` },
    });
    expect(released.statusCode).toBe(204);
  };

  /** stays at risk without a new event while the plan keeps moving (no flap) */
  const step3 = async () => {
    const before = (await ok('GET', `${P}/orders/${ids.A}`, t.keys.planner)).atRisk;
    t.clock.set('2026-11-25T21:30:00Z');
    await sweepBoth();
    const after = (await ok('GET', `${P}/orders/${ids.A}`, t.keys.planner)).atRisk;
    expect(Date.parse(after.projectedFinish)).toBeGreaterThan(Date.parse(before.projectedFinish)); // the projection is kept current
    expect(after.since).toBe(before.since);
    expect((await events()).filter((e) => e.type === 'order.at-risk')).toHaveLength(2);
  };

  /** shows the flag on the schedule, the buffer board (with the orders whose release is due) and the salesperson’s order view */
  const step4 = async () => {
    const schedule = (await ok('GET', `${P}/schedule`, t.keys.planner)).orders as { id: string; atRisk: unknown }[];
    expect(
      schedule
        .filter((o) => o.atRisk !== null)
        .map((o) => o.id)
        .sort(),
    ).toEqual([ids.A, ids.B].sort());
    const board = (await ok('GET', `${P}/buffer-board`, t.keys.planner)).items as {
      orderId: string;
      status: string;
      releaseDue: boolean;
      penetration: number;
      atRisk: { reason: string } | null;
    }[];
    expect(board.map((i) => i.orderId).sort()).toEqual([ids.A, ids.B, ids.C].sort()); // all three are due for release
    for (const i of board) expect(i).toMatchObject({ status: 'confirmed', releaseDue: true });
    expect(board[0]!.orderId).toBe(ids.B); // promised first: deepest into its buffer
    expect(board.find((i) => i.orderId === ids.A)!.atRisk).toMatchObject({ reason: 'release-overdue' });
    expect(board.find((i) => i.orderId === ids.C)!.atRisk).toBeNull();
    const mine = await ok('GET', `${P}/orders/${ids.A}`, t.keys.sales);
    expect(mine.atRisk.projectedFinish).toEqual(expect.any(String));
    expect(Date.parse(mine.atRisk.projectedFinish)).toBeGreaterThan(Date.parse('2026-11-26T00:00:00Z'));
  };

  /** is on track again after a re-promise, with one event */
  const step5 = async () => {
    const res = await ok('POST', `${P}/orders/${ids.A}/repromise`, t.keys.planner, { promiseDate: '2026-11-30', reason: 'material late' });
    expect(res.atRisk).toBeNull(); // judged on the new promise in the same write
    await sweepBoth();
    const onTrack = (await events()).filter((e) => e.type === 'order.on-track');
    expect(onTrack).toHaveLength(1);
    expect(onTrack[0]).toMatchObject({ orderId: ids.A, data: { promiseDate: '2026-11-30', reason: 'repromised' } });
    expect((await ok('GET', `${P}/at-risk`, t.keys.planner)).items.map((i: { orderId: string }) => i.orderId)).toEqual([ids.B]);
  };

  /** a salesperson's feed holds the events of their own orders only */
  const step6 = async () => {
    const feed = async (key: string, after = 0) => ok('GET', `/v1/me/events?plant=risk&after=${after}&limit=2`, key);
    const seen: Ev[] = [];
    for (let after = 0, page = await feed(t.keys.sales); ; page = await feed(t.keys.sales, after)) {
      seen.push(...(page.items as Ev[]));
      if (page.lastSeq === after) break;
      after = page.lastSeq;
    }
    expect(seen.length).toBeGreaterThan(0);
    expect(new Set(seen.map((e) => e.orderId))).toEqual(new Set([ids.A, ids.B]));
    expect(seen.map((e) => e.type)).toEqual(expect.arrayContaining(['order.created', 'order.at-risk', 'order.on-track']));
    expect(seen.map((e) => e.seq)).toEqual([...seen.map((e) => e.seq)].sort((a, b) => a - b));
    const others = (await ok('GET', `/v1/me/events?plant=risk&limit=1000`, otherSales)).items as Ev[];
    expect(others.some((e) => e.orderId === ids.C)).toBe(true); // C, and the hold they placed and released
    expect(others.filter((e) => e.orderId === ids.A || e.orderId === ids.B)).toEqual([]);
    expect((await call(t.app, 'GET', '/v1/me/events?plant=nowhere', t.keys.sales)).statusCode).toBe(404);
  };

  it("the facts' hook flags the orders a fact made late in the fact's own version, with the fact as the reason", async () => {
    t.clock.set('2026-11-23T08:00:00Z');
    const Q = '/v1/plants/risk-hook';
    // A tolerance of a week: time passing makes the order late, but not at risk.
    await plant('risk-hook', { atRiskToleranceMinutes: 10_080 });
    const id = (await ok('POST', `${Q}/orders`, t.keys.sales, { sku: 'W', quantity: 5, promiseDate: '2026-11-24', customer: 'c' }))
      .id as string;
    t.clock.set('2026-11-25T20:00:00Z');
    await t.writer.write('risk-hook', null, async () => undefined); // the head ticks
    const feed = async (): Promise<Ev[]> => (await ok('GET', `${Q}/events?limit=1000`, t.keys.planner)).items;
    expect((await feed()).find((e) => e.type === 'schedule.time-passed')!.data.atRisk).toEqual([expect.objectContaining({ orderId: id })]);
    expect((await feed()).filter((e) => e.type === 'order.at-risk')).toEqual([]);
    await ok('PUT', `${Q}/buffer-policy`, t.keys.admin, {
      productionBufferDays: 1,
      shippingBufferDays: 0,
      standardLeadTimeDays: 0,
      atRiskToleranceMinutes: 0,
    });
    // A fact's write (a breakdown, as issue 13 item 4 will record it) names the orders it made late.
    const { version } = await t.writer.write('risk-hook', null, (ctx) => flagOrdersMadeLate(ctx, [id], 'breakdown'));
    const flagged = (await feed()).filter((e) => e.type === 'order.at-risk');
    expect(flagged).toEqual([
      expect.objectContaining({ orderId: id, scheduleVersion: version, data: expect.objectContaining({ reason: 'breakdown' }) }),
    ]);
    expect((await ok('GET', `${Q}/at-risk`, t.keys.planner)).items).toEqual([
      expect.objectContaining({ orderId: id, reason: 'breakdown' }),
    ]);
    // Named again, it is already flagged: nothing is written.
    await t.writer.write('risk-hook', null, (ctx) => flagOrdersMadeLate(ctx, [id], 'breakdown'));
    expect((await feed()).filter((e) => e.type === 'order.at-risk')).toHaveLength(1);
  });

  // One story, in order (the file's tests run shuffled): the clock only moves forward.
  it('an unreleased order becomes at risk as the clock moves, once over two instances, and on track after a re-promise', async () => {
    await step1();
    await step2();
    await ordinaryWriteAfterTheFact();
    await step3();
    await step4();
    await step5();
    await step6();
  });
});
