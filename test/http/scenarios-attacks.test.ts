import { beforeEach, describe, expect, it } from 'vitest';
import { buildSecondApp, type TestApp } from '../helpers/app.ts';
import { seedPlant } from '../helpers/builders.ts';
import { client as clientOf, databaseKinds, quoteAnswer, type client } from '../helpers/planning.ts';
import { SCENARIO_POLICY as POLICY, scenarioPlant } from '../helpers/scenario-plant.ts';

// Attacks on what-if scenarios and committed reads (review rev2). The plant of test/http/scenarios.test.ts
// (scenarioPlant): drum "cnc" 06:00–22:00 Mon–Fri, P1 = 30 + 10 × qty drum minutes, Monday 2026-11-23 09:00 Berlin.
const downtime = (date: string) => ({ resource: 'cnc', kind: 'downtime', date, reason: 'maintenance' });
const saturday = { resource: 'cnc', kind: 'extra_shift', date: '2026-11-28', start: '06:00', end: '14:00', reason: 'Saturday shift' };
type Outcome = { applied: boolean; refusedLive: boolean };
/** What the live request (and a promotion) does: a reduction that makes orders late applies in a what-if only (refusedLive). */
const appliesLive = (o: Outcome) => o.applied && !o.refusedLive;
/**
 * 50 operations that make an evaluation work hard: ranged overtime on every weekday until May
 * (the costliest capacity rule to apply) alternating with hypothetical orders of `quantity`;
 * `tag` tells the scenarios' overtime reasons apart.
 */
const heavyOperations = (quantity: number, tag = '') =>
  Array.from({ length: 50 }, (_, i) =>
    i % 2
      ? { type: 'hypothetical-order', sku: 'P1', quantity }
      : {
          type: 'capacity-change',
          change: {
            resource: 'cnc',
            kind: 'overtime',
            from: '2026-11-24',
            to: '2027-05-20',
            weekdays: [1, 2, 3, 4, 5],
            start: '22:00',
            end: '23:30',
            reason: `ot ${tag}${i}`,
          },
        },
  );

describe.each(databaseKinds())('what-if scenarios under attack on %s', (kind) => {
  const { plant, seedOrders } = scenarioPlant(kind, 'rev2');
  let t: TestApp;
  let c: ReturnType<typeof client>;
  beforeEach(() => {
    ({ t, c } = plant);
  });
  const create = async (operations: unknown[], name = 'review') => {
    const res = await c.call('POST', 'scenarios', 'planner', { name, operations });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().id as string;
  };
  const evaluate = async (id: string) => {
    const res = await c.call('GET', `scenarios/${id}/evaluation`, 'planner');
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };
  const finishes = async () => {
    const res = await c.call('GET', 'plan', 'planner');
    const items = res.json().orders as { orderId: string; late: boolean; operations: { end: string | null }[] }[];
    return new Map(items.map((p) => [p.orderId, p.operations.at(-1)?.end ?? null]));
  };
  const secondApp = () => buildSecondApp(t);
  /**
   * Takes the plant's row lock in a transaction of its own, as another process's batch or an
   * idle-in-transaction session would, and holds it until the returned function is called
   * (which waits for that transaction to end).
   */
  const lockPlantElsewhere = async () => {
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => (locked = r));
    const other = t.db.db.transaction().execute(async (tx) => {
      await tx.selectFrom('plants').select('id').where('id', '=', plant.plant).forUpdate().executeTakeFirst();
      locked();
      await released;
    });
    await isLocked;
    return async () => {
      release();
      await other;
    };
  };

  describe('evaluation and promotion give the same verdict and the same plan', () => {
    // Promotion runs every operation inside ONE write, while the evaluation runs each as its own
    // write (the state is rebuilt on new capacity rules between them): two capacity changes in
    // a row must still give the evaluated plan.
    for (const order of ['saturday-then-downtime', 'downtime-then-saturday'] as const) {
      it(`promotion of two capacity changes (${order}) gives exactly the evaluated plan`, async () => {
        await seedOrders();
        const pair = [
          { type: 'capacity-change', change: saturday },
          { type: 'capacity-change', change: downtime('2026-11-30') },
        ];
        const ops = order === 'saturday-then-downtime' ? pair : [pair[1], pair[0]];
        const id = await create(ops);
        const ev = await evaluate(id);
        const before = await finishes();
        const promoted = await c.call('POST', `scenarios/${id}/promote`, 'planner');
        if (ev.operations.every(appliesLive)) {
          expect(promoted.statusCode, promoted.body).toBe(200);
          const expected = new Map(before);
          for (const m of ev.ordersMoved) expected.set(m.orderId, m.plannedFinish.scenario);
          expect(await finishes()).toEqual(expected);
        } else {
          expect(promoted.statusCode).toBe(409);
          expect(promoted.json().operationIndex).toBe(ev.operations.findIndex((o: Outcome) => !appliesLive(o)));
        }
      });
    }

    it('stacked reductions: the first one the evaluation refuses is the one promotion names (and nothing is made late)', async () => {
      await seedOrders();
      const ops = ['2026-11-24', '2026-11-25', '2026-11-26', '2026-11-27', '2026-11-30'].map((d) => ({
        type: 'capacity-change',
        change: downtime(d),
      }));
      const id = await create(ops);
      const ev = await evaluate(id);
      const firstRefused = ev.operations.findIndex((o: Outcome) => !appliesLive(o));
      expect(firstRefused).toBeGreaterThan(0);
      const promoted = await c.call('POST', `scenarios/${id}/promote`, 'planner');
      expect(promoted.statusCode, promoted.body).toBe(409);
      expect(promoted.json().operationIndex).toBe(firstRefused);
      const late = (await c.call('GET', 'plan', 'planner')).json().orders.filter((o: { late: boolean }) => o.late);
      expect(late).toEqual([]);
    });

    it('a re-promise that only fits with an earlier capacity op of the same scenario: evaluation and promotion agree', async () => {
      const orders = await seedOrders();
      const target = orders[3]!; // 90 pcs due 2026-12-01
      // Find the earliest date the re-promise fits with the Saturday shift but not without it.
      let chosen: string | null = null;
      for (const d of ['2026-11-25', '2026-11-26', '2026-11-27', '2026-11-28', '2026-11-29', '2026-11-30']) {
        const withShift = await evaluate(
          await create([
            { type: 'capacity-change', change: saturday },
            { type: 'repromise', orderId: target.id, promiseDate: d, reason: 'earlier' },
          ]),
        );
        const without = await evaluate(await create([{ type: 'repromise', orderId: target.id, promiseDate: d, reason: 'earlier' }]));
        if (withShift.operations[1].applied && !without.operations[0].applied) {
          chosen = d;
          break;
        }
      }
      if (chosen === null) return; // no such date on this plant: nothing to compare
      const id = await create([
        { type: 'capacity-change', change: saturday },
        { type: 'repromise', orderId: target.id, promiseDate: chosen, reason: 'earlier' },
      ]);
      const promoted = await c.call('POST', `scenarios/${id}/promote`, 'planner');
      expect(promoted.statusCode, promoted.body).toBe(200);
    });

    it('the evaluation agrees with the same operations applied live one request at a time', async () => {
      const orders = await seedOrders();
      const ops = [
        { type: 'capacity-change', change: downtime('2026-11-26') },
        { type: 'repromise', orderId: orders[0]!.id, promiseDate: '2026-12-10', reason: 'customer' },
        { type: 'capacity-change', change: saturday },
      ];
      const ev = await evaluate(await create(ops));
      const before = await finishes();
      const applied = ev.operations.map(appliesLive);
      const live = [
        (await c.call('POST', 'capacity-changes', 'planner', ops[0]!.change)).statusCode,
        (await c.call('POST', `orders/${orders[0]!.id}/repromise`, 'planner', { promiseDate: '2026-12-10', reason: 'customer' }))
          .statusCode,
        (await c.call('POST', 'capacity-changes', 'planner', ops[2]!.change)).statusCode,
      ];
      expect(live.map((s) => s < 300)).toEqual(applied);
      const expected = new Map(before);
      for (const m of ev.ordersMoved) expected.set(m.orderId, m.plannedFinish.scenario);
      expect(await finishes()).toEqual(expected);
    });

    // The evaluation counts hypothetical orders under the capacity rule, and promotion skips them:
    // a reduction refused only because of a hypothetical order says so, and promotion applies it.
    it('a reduction the evaluation refuses only because of a hypothetical order says so, and promotion applies it', async () => {
      await seedOrders();
      const reduction = { type: 'capacity-change', change: downtime('2026-12-01') };
      const alone = await evaluate(await create([reduction]));
      expect(alone.operations[0].applied).toBe(true);
      // The smallest hypothetical order kept on 2026-12-04 that the downtime would make late.
      let id: string | null = null;
      let ev: any = null;
      for (const quantity of [150, 200, 250, 300, 350, 400, 450, 500]) {
        const ops = [{ type: 'hypothetical-order', sku: 'P1', quantity, requestedDate: '2026-12-04' }, reduction];
        const candidate = await create(ops, `q${quantity}`);
        const e = await evaluate(candidate);
        if (e.operations[0].effect?.requestedDateKept && !appliesLive(e.operations[1])) {
          id = candidate;
          ev = e;
          break;
        }
      }
      expect(id).not.toBeNull();
      expect(ev.operations[1].problem).not.toBeNull();
      expect(ev.operations[1].refusedOnlyWithHypotheticalOrders).toBe(true);
      expect(ev.operations[1].note).toMatch(/hypothetical/);
      expect(alone.operations[0].refusedOnlyWithHypotheticalOrders).toBe(false);
      // As the evaluation announced: promotion (hypothetical orders skipped) applies the reduction.
      const promoted = await c.call('POST', `scenarios/${id}/promote`, 'planner');
      expect(promoted.statusCode, promoted.body).toBe(200);
    });
  });

  describe('hypothetical orders stay inside the scenario', () => {
    it('hypothetical orders leave no trace: orders, events, holds cap, metrics-free reads, order numbering', async () => {
      await seedOrders();
      const orders = (await c.call('GET', 'orders?limit=500', 'planner')).body;
      const events = await c.events();
      const me = (await c.call('GET', `/v1/me/events?plant=${c.P.split('/').at(-1)}&limit=100`, 'sales')).body;
      const ops = Array.from({ length: 10 }, () => ({ type: 'hypothetical-order', sku: 'P1', quantity: 40, requestedDate: '2026-11-26' }));
      const id = await create(ops);
      const [ev, quote] = await Promise.all([evaluate(id), c.call('POST', 'quotes', 'sales', { sku: 'P1', quantity: 40 })]);
      expect(ev.hypotheticalOrders).toHaveLength(10);
      expect(quote.statusCode).toBe(200);
      const again = await c.call('POST', 'quotes', 'sales', { sku: 'P1', quantity: 40 });
      expect(again.json().promiseDate ?? again.json().earliestPromiseDate).toBe(
        quote.json().promiseDate ?? quote.json().earliestPromiseDate,
      );
      expect((await c.call('GET', 'orders?limit=500', 'planner')).body).toBe(orders);
      expect((await c.events()).filter((e) => e.type !== 'quote.given')).toEqual(events.filter((e) => e.type !== 'quote.given'));
      expect((await c.call('GET', `/v1/me/events?plant=${c.P.split('/').at(-1)}&limit=100`, 'sales')).body).toBe(me);
      // The next real order takes the next number, not one after the hypothetical ones.
      const next = await c.order({ quantity: 1, promiseDate: '2026-12-20' });
      const ids = JSON.parse(orders).items.map((o: { id: string }) => o.id);
      expect(ids).not.toContain(next.id);
    });
  });

  describe('odd input, roles, other plants and caps are answered, never a 500', () => {
    it('odd operations are answered, never a 500', async () => {
      const orders = await seedOrders();
      const bodies: unknown[] = [
        [{ type: 'hypothetical-order', sku: 'NOPE', quantity: 1 }],
        [{ type: 'hypothetical-order', sku: 'P1', quantity: 100_000 }],
        [{ type: 'hypothetical-order', sku: 'P1', quantity: 1e15 }],
        [{ type: 'hypothetical-order', sku: 'P1', quantity: -1 }],
        [{ type: 'hypothetical-order', sku: 'P1', quantity: 1, requestedDate: '2020-01-01' }],
        [{ type: 'hypothetical-order', sku: 'P1', quantity: 1, requestedDate: '2099-01-01' }],
        [{ type: 'repromise', orderId: 'no-such-order', promiseDate: '2026-12-20', reason: 'x' }],
        [{ type: 'repromise', orderId: orders[0]!.id, promiseDate: '2026-02-30', reason: 'x' }],
        [{ type: 'revoke-capacity-change', id: 'not-a-uuid' }],
        [{ type: 'revoke-capacity-change', id: '00000000-0000-0000-0000-000000000000' }],
        [{ type: 'capacity-change', change: { resource: 'nope', kind: 'downtime', date: '2026-12-01', reason: 'x' } }],
        [
          {
            type: 'capacity-change',
            change: { resource: 'cnc', kind: 'overtime', date: '2026-12-01', start: '23:00', end: '22:00', reason: 'x' },
          },
        ],
        [
          {
            type: 'capacity-change',
            change: { resource: 'cnc', kind: 'downtime', from: '2026-12-01', to: '2027-12-01', weekdays: [1], reason: 'x' },
          },
        ],
        [
          {
            type: 'capacity-change',
            change: {
              resource: 'cnc',
              kind: 'extra_shift',
              from: '2026-11-28',
              to: '2026-11-20',
              weekdays: [6],
              start: '06:00',
              end: '14:00',
              reason: 'x',
            },
          },
        ],
        [{ type: 'nope' }],
        Array.from({ length: 51 }, () => ({ type: 'hypothetical-order', sku: 'P1', quantity: 1 })),
        'not an array',
      ];
      const statuses: [number, number | null, string][] = [];
      for (const operations of bodies) {
        const res = await c.call('POST', 'scenarios', 'planner', { name: 'odd', operations });
        let evalStatus: number | null = null;
        if (res.statusCode === 201) {
          const ev = await c.call('GET', `scenarios/${res.json().id}/evaluation`, 'planner');
          evalStatus = ev.statusCode;
          await c.call('DELETE', `scenarios/${res.json().id}`, 'planner');
        }
        statuses.push([res.statusCode, evalStatus, JSON.stringify(operations).slice(0, 80)]);
      }
      expect(statuses.filter(([a, b]) => a >= 500 || (b ?? 0) >= 500)).toEqual([]);
    });

    it('roles and plants: sales cannot read or evaluate, another plant does not see the scenario', async () => {
      await seedOrders();
      const id = await create([{ type: 'hypothetical-order', sku: 'P1', quantity: 5 }]);
      expect((await c.call('GET', `scenarios/${id}`, 'sales')).statusCode).toBe(403);
      expect((await c.call('GET', `scenarios/${id}/evaluation`, 'sales')).statusCode).toBe(403);
      expect((await c.call('POST', `scenarios/${id}/promote`, 'admin')).statusCode).toBe(403);
      expect((await c.call('GET', `/v1/plants/plant-1/scenarios/${id}`, 'planner')).statusCode).toBe(404);
      expect((await c.call('GET', `/v1/plants/plant-1/scenarios/${id}/evaluation`, 'planner')).statusCode).toBe(404);
      expect((await c.call('POST', `/v1/plants/plant-1/scenarios/${id}/promote`, 'planner')).statusCode).toBe(404);
      expect([400, 404]).toContain((await c.call('GET', `scenarios/not-a-uuid`, 'planner')).statusCode);
    });

    it("operations naming another plant's order or capacity change do not reach it, in evaluation or promotion", async () => {
      await seedOrders();
      const otherId = `${plant.plant}-other`;
      await seedPlant(t, otherId, POLICY);
      const o = clientOf(() => t, otherId);
      const foreign = await o.order({ quantity: 10, promiseDate: '2026-12-10' });
      const change = await o.call('POST', 'capacity-changes', 'planner', saturday);
      expect(change.statusCode, change.body).toBe(201);
      const changeId = change.json().change?.id ?? change.json().id;
      const otherBefore = { version: await o.version(), order: (await o.call('GET', `orders/${foreign.id}`, 'planner')).body };
      const id = await create([
        { type: 'repromise', orderId: foreign.id, promiseDate: '2026-12-20', reason: 'x' },
        { type: 'revoke-capacity-change', id: changeId },
      ]);
      const ev = await evaluate(id);
      expect(ev.operations.map((op: { applied: boolean }) => op.applied)).toEqual([false, false]);
      const promoted = await c.call('POST', `scenarios/${id}/promote`, 'planner');
      expect(promoted.statusCode).toBe(409);
      expect(promoted.json().operationIndex).toBe(0);
      expect({ version: await o.version(), order: (await o.call('GET', `orders/${foreign.id}`, 'planner')).body }).toEqual(otherBefore);
    });

    it('Idempotency-Key: a replay returns the same scenario, a different body under the same key is refused', async () => {
      const key = { 'idempotency-key': `k-${plant.plant}` };
      const body = { name: 'idem', operations: [{ type: 'hypothetical-order', sku: 'P1', quantity: 5 }] };
      const a = await c.call('POST', 'scenarios', 'planner', body, key);
      const b = await c.call('POST', 'scenarios', 'planner', body, key);
      expect(a.statusCode).toBe(201);
      expect(b.json().id).toBe(a.json().id);
      expect((await c.call('GET', 'scenarios', 'planner')).json().items).toHaveLength(1);
      const d = await c.call('POST', 'scenarios', 'planner', { ...body, name: 'other' }, key);
      expect(d.statusCode).toBeGreaterThanOrEqual(400);
      expect(d.statusCode).toBeLessThan(500);
      const patch = await c.call('PATCH', `scenarios/${a.json().id}`, 'planner', {
        operations: Array.from({ length: 51 }, () => ({ type: 'hypothetical-order', sku: 'P1', quantity: 1 })),
      });
      expect(patch.statusCode).toBe(400);
    });

    it('50 operations x 20 scenarios of heavy ranged changes and big hypothetical orders: all answered, caps hold', async () => {
      await seedOrders();
      const heavy = heavyOperations(5000);
      const ids: string[] = [];
      for (let i = 0; i < 20; i++) ids.push(await create(heavy, `heavy ${i}`));
      expect((await c.call('POST', 'scenarios', 'planner', { name: '21st', operations: [] })).statusCode).toBe(409);
      for (const id of ids.slice(0, 2)) {
        const res = await c.call('GET', `scenarios/${id}/evaluation`, 'planner');
        expect(res.statusCode).toBeLessThan(500);
      }
    }, 120_000);
  });

  describe('promotion is all or nothing when promotions race', () => {
    it('two concurrent promotions of one scenario: one wins, one version, one scenario.promoted', async () => {
      const orders = await seedOrders();
      const id = await create([
        { type: 'capacity-change', change: saturday },
        { type: 'repromise', orderId: orders[0]!.id, promiseDate: '2026-12-10', reason: 'customer' },
      ]);
      const version = await c.version();
      const res = await Promise.all([
        c.call('POST', `scenarios/${id}/promote`, 'planner'),
        c.call('POST', `scenarios/${id}/promote`, 'planner'),
      ]);
      expect(res.map((r) => r.statusCode).sort()).toEqual([200, 409]);
      expect(await c.version()).toBe(version + 1);
      expect((await c.events()).filter((e) => e.type === 'scenario.promoted')).toHaveLength(1);
      expect((await c.call('GET', 'capacity-changes', 'planner')).json().items).toHaveLength(1);
    });

    it('two processes promote the same scenario at once: one wins; the loser changes nothing', async () => {
      const orders = await seedOrders();
      const id = await create([
        { type: 'capacity-change', change: saturday },
        { type: 'repromise', orderId: orders[0]!.id, promiseDate: '2026-12-10', reason: 'customer' },
      ]);
      const other = await secondApp();
      try {
        const version = await c.version();
        const res = await Promise.all([
          c.call('POST', `scenarios/${id}/promote`, 'planner'),
          other.inject({ method: 'POST', url: `${c.P}/scenarios/${id}/promote`, headers: t.as('planner') }),
        ]);
        expect(res.map((r) => r.statusCode).sort()).toEqual([200, 409]);
        expect(await c.version()).toBe(version + 1);
        expect((await c.call('GET', 'capacity-changes', 'planner')).json().items).toHaveLength(1);
      } finally {
        await other.close();
      }
    });
  });

  describe('a cached evaluation is served only while it is still true', () => {
    it('an evaluation cached in this process is not served after a live write in another process', async () => {
      const orders = await seedOrders();
      const id = await create([{ type: 'repromise', orderId: orders[2]!.id, promiseDate: '2026-12-11', reason: 'x' }]);
      const first = await evaluate(id);
      expect(first.operations[0].applied).toBe(true);
      const other = await secondApp();
      try {
        const cancel = await other.inject({
          method: 'POST',
          url: `${c.P}/orders/${orders[2]!.id}/cancel`,
          headers: t.as('planner'),
          payload: {},
        });
        expect(cancel.statusCode).toBe(200);
      } finally {
        await other.close();
      }
      const second = await evaluate(id);
      expect(second.scheduleVersion).toBe(first.scheduleVersion + 1);
      expect(second.operations[0].applied).toBe(false);
    });

    // Time passing moves no version: a cached evaluation expires (5 minutes) and is never served
    // on another plant-local day, so an operation now in the past is evaluated again.
    it('a cached evaluation is not served once its capacity change lies in the past (time passed, no write)', async () => {
      await seedOrders();
      const id = await create([{ type: 'capacity-change', change: saturday }]);
      const first = await evaluate(id);
      expect(first.operations[0].applied).toBe(true);
      // Sunday 2026-11-29: the Saturday shift is over; no write happened since.
      t.clock.set('2026-11-29T10:00:00Z');
      const fresh = await evaluate(await create([{ type: 'capacity-change', change: saturday }]));
      const again = await evaluate(id);
      expect(again.operations[0].applied).toBe(fresh.operations[0].applied);
      expect(again.evaluatedAt).toBe(fresh.evaluatedAt);
    });
  });

  describe('reads and writes go on beside evaluations and queued batches', () => {
    it('evaluations and holds in parallel: all answer, nothing deadlocks, the holds are all committed', async () => {
      await seedOrders();
      const ids = await Promise.all(
        [1, 2, 3].map((i) =>
          create([
            { type: 'capacity-change', change: saturday },
            { type: 'hypothetical-order', sku: 'P1', quantity: 10 * i },
            { type: 'capacity-change', change: downtime('2026-12-07') },
          ]),
        ),
      );
      const version = await c.version();
      const holds = Array.from({ length: 6 }, () => c.call('POST', 'holds', 'sales', { sku: 'P1', quantity: 5, customer: 'ACME' }));
      const evals = ids.flatMap((id) => [1, 2].map(() => c.call('GET', `scenarios/${id}/evaluation`, 'planner')));
      const quotes = Array.from({ length: 4 }, () => c.call('POST', 'quotes', 'sales', { sku: 'P1', quantity: 5 }));
      const all = await Promise.all([...holds, ...evals, ...quotes]);
      expect(all.map((r) => r.statusCode).filter((s) => s >= 300)).toEqual([]);
      expect(await c.version()).toBe(version + 6);
    });

    // A batch takes the plant's read turn only once it holds the plant row lock: while another
    // process holds that lock (its own batch, a scenario evaluation, an idle-in-transaction
    // session), a batch of this process waiting for it has changed nothing, and quotes answer
    // from the committed state.
    it.skipIf(kind !== 'postgres')(
      "a quote is answered from the committed state while a queued batch waits for another process's plant lock",
      async () => {
        await seedOrders();
        const before = await c.call('POST', 'quotes', 'sales', { sku: 'P1', quantity: 5 });
        expect(before.statusCode).toBe(200);
        const unlock = await lockPlantElsewhere();
        const hold = c.call('POST', 'holds', 'sales', { sku: 'P1', quantity: 5, customer: 'ACME' });
        await new Promise((r) => setTimeout(r, 300));
        const quote = c.call('POST', 'quotes', 'sales', { sku: 'P1', quantity: 5 });
        const answered = await Promise.race([quote.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 3000))]);
        await unlock();
        expect((await hold).statusCode).toBe(201);
        expect((await quote).statusCode).toBe(200);
        expect(answered).toBe(true);
      },
    );

    // 20 parallel evaluations of one plant against a pool of 10 must not starve every other
    // request of connections (they wait in the process, one per plant at a time).
    it.skipIf(kind !== 'postgres')(
      '20 parallel evaluations of heavy scenarios do not starve other requests of connections',
      async () => {
        await seedOrders();
        const heavy = (n: number) => heavyOperations(100 + n, `${n} `);
        const ids: string[] = [];
        for (let n = 0; n < 20; n++) ids.push(await create(heavy(n), `heavy ${n}`));
        const evals = ids.map((id) => c.call('GET', `scenarios/${id}/evaluation`, 'planner'));
        await new Promise((r) => setTimeout(r, 200));
        const others = [
          c.call('POST', 'holds', 'sales', { sku: 'P1', quantity: 5, customer: 'ACME' }),
          c.call('POST', 'quotes', 'sales', { sku: 'P1', quantity: 5 }),
          c.call('GET', 'schedule', 'planner'),
          c.call('GET', '/v1/plants/plant-1/schedule', 'planner'),
        ];
        const all = await Promise.all([...evals, ...others]);
        const bad = all
          .map((r, i) => [i, r.statusCode, r.statusCode >= 500 ? r.body.slice(0, 200) : ''] as const)
          .filter(([, s]) => s >= 500);
        expect(bad).toEqual([]);
      },
      180_000,
    );

    // A scenario evaluation holds the plant row lock while it applies its operations. Queued
    // evaluations wait in the process (one per plant at a time), holding neither the lock nor the
    // plant's read turn: a quote answers from the committed state at once, and a hold queued
    // behind them waits for the one evaluation in flight, not for all of them.
    it.skipIf(kind !== 'postgres')(
      'a quote does not wait behind queued scenario evaluations (a hold is queued too)',
      async () => {
        await seedOrders();
        const heavy = (n: number) => heavyOperations(100 + n, `${n} `);
        const ids: string[] = [];
        for (let n = 0; n < 8; n++) ids.push(await create(heavy(n), `heavy ${n}`));
        let evaluated = 0;
        const evals = ids.map((id) => c.call('GET', `scenarios/${id}/evaluation`, 'planner').then((r) => (evaluated++, r)));
        await new Promise((r) => setTimeout(r, 200));
        let evaluatedWhenHeld = -1;
        const hold = c
          .call('POST', 'holds', 'sales', { sku: 'P1', quantity: 5, customer: 'ACME' })
          .then((r) => ((evaluatedWhenHeld = evaluated), r));
        await new Promise((r) => setTimeout(r, 100));
        const quote = await c.call('POST', 'quotes', 'sales', { sku: 'P1', quantity: 5 });
        const evaluatedWhenQuoted = evaluated;
        const answers = await Promise.all(evals);
        expect(quote.statusCode).toBe(200);
        expect(evaluatedWhenQuoted).toBeLessThan(ids.length);
        expect((await hold).statusCode).toBe(201);
        // The hold waited for the evaluation holding the lock when it came (and at most the one
        // that had just taken over), not for the whole queue.
        expect(evaluatedWhenHeld).toBeGreaterThanOrEqual(0);
        expect(evaluatedWhenHeld).toBeLessThan(ids.length / 2);
        expect(answers.map((r) => r.statusCode)).toEqual(ids.map(() => 200));
      },
      180_000,
    );

    // An evaluation that cannot get the plant row lock within the simulation limit gives up
    // with a 503 the client may retry, instead of queueing the plant's writes behind it.
    it.skipIf(kind !== 'postgres')(
      'an evaluation that waits too long for the plant lock answers 503 service-unavailable with Retry-After',
      async () => {
        await seedOrders();
        const id = await create([{ type: 'capacity-change', change: saturday }]);
        const unlock = await lockPlantElsewhere();
        const res = await c.call('GET', `scenarios/${id}/evaluation`, 'planner');
        await unlock();
        expect(res.statusCode, res.body).toBe(503);
        expect(res.json().type).toMatch(/service-unavailable$/);
        expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
        expect((await c.call('GET', `scenarios/${id}/evaluation`, 'planner')).statusCode).toBe(200);
      },
      30_000,
    );

    // simulate() brings the LIVE cached state up to date (cache.sync) under the plant's turn,
    // beside the catch-up of a read of this process: after another process's capacity change,
    // this process must still quote and plan exactly as the other one does.
    it('evaluation and reads racing to catch up with another process agree with that process', async () => {
      const orders = await seedOrders();
      const id = await create([{ type: 'repromise', orderId: orders[2]!.id, promiseDate: '2026-12-11', reason: 'x' }]);
      await evaluate(id);
      const other = await secondApp();
      try {
        const there = (url: string, method: 'GET' | 'POST' = 'GET', payload?: object) =>
          other.inject({
            method,
            url: `${c.P}/${url}`,
            headers: t.as(method === 'POST' ? 'sales' : 'planner'),
            ...(payload ? { payload } : {}),
          });
        for (const body of [saturday, downtime('2026-12-08')]) {
          expect(
            (await other.inject({ method: 'POST', url: `${c.P}/capacity-changes`, headers: t.as('planner'), payload: body })).statusCode,
          ).toBe(201);
          await c.order({ quantity: 7, promiseDate: '2026-12-18' }).catch(() => undefined);
          const [, q1, plan1] = await Promise.all([
            c.call('GET', `scenarios/${id}/evaluation`, 'planner'),
            c.call('POST', 'quotes', 'sales', { sku: 'P1', quantity: 33 }),
            c.call('GET', 'plan', 'planner'),
          ]);
          const q2 = await there('quotes', 'POST', { sku: 'P1', quantity: 33 });
          expect(quoteAnswer(q1.json())).toEqual(quoteAnswer(q2.json()));
          expect(plan1.json().orders).toEqual((await there('plan')).json().orders);
        }
      } finally {
        await other.close();
      }
    });
  });
});
