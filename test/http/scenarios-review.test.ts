import { beforeEach, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.ts';
import { client, databaseKinds, plantPerTest } from '../helpers/planning.ts';

// Review of issue 15 item 6's what-if reductions. Monday 2026-11-23 09:00 Europe/Berlin;
// seedPlant's drum "cnc" works 06:00–22:00 Mon–Fri; P1 = 30 + 10 × qty drum minutes.
const POLICY = { productionBufferDays: 2, shippingBufferDays: 2, standardLeadTimeDays: 2 };

describe.each(databaseKinds())('what-if reductions on %s (review)', (kind) => {
  const plant = plantPerTest(kind, 'scen-review', POLICY);
  let t: TestApp;
  let c: ReturnType<typeof client>;
  beforeEach(() => {
    ({ t, c } = plant);
    t.clock.set('2026-11-23T08:00:00Z');
  });

  /** A Saturday shift in force, then orders at their earliest dates until one is promised thanks to it. */
  async function saturdayInUse(days: { date: string } | { from: string; to: string; weekdays: number[] } = { date: '2026-11-28' }) {
    const sat = await c.call('POST', 'capacity-changes', 'planner', {
      resource: 'cnc',
      kind: 'extra_shift',
      ...days,
      start: '06:00',
      end: '14:00',
      reason: 'Saturday shift',
    });
    expect(sat.statusCode, sat.body).toBe(201);
    const changeId = sat.json().change.id as string;
    for (let i = 0; i < 12; i++) {
      const q = (await c.call('POST', 'quotes', 'planner', { sku: 'P1', quantity: 60 })).json();
      await c.order({ quantity: 60, promiseDate: q.earliestPromiseDate });
    }
    // Live, taking the Saturday back away is refused: orders count on it.
    return { changeId };
  }

  // The branch applies "a capacity reduction that would make orders late" in a what-if, but
  // only for a capacity-change operation (scenario-evaluation.ts reductionWhatIf: `op.type !==
  // 'capacity-change'` returns null). Revoking an extra shift in force is the same reduction
  // (the planner's "what if we cancel Saturday?"): it is refused in the what-if (applied:
  // false, nothing to compare) instead of applied with refusedLive and its made-late orders.
  it('applies the revocation of a shift orders count on, as it applies a downtime, with refusedLive and the orders it makes late', async () => {
    const { changeId } = await saturdayInUse();
    const live = await c.call('DELETE', `capacity-changes/${changeId}`, 'planner', { reason: 'what if' });
    // The live request refuses it (the precondition of this test) ...
    expect(live.statusCode).toBe(409);
    expect(live.json().type).toBe('https://drumbeat.dev/problems/schedule-infeasible');
    const created = await c.call('POST', 'scenarios', 'planner', {
      name: 'No Saturday',
      operations: [{ type: 'revoke-capacity-change', id: changeId, reason: 'what if' }],
    });
    expect(created.statusCode, created.body).toBe(201);
    const ev = (await c.call('GET', `scenarios/${created.json().id}/evaluation`, 'planner')).json();
    // ... and the what-if answers it as it answers a downtime on that Saturday.
    expect(ev.operations[0]).toMatchObject({ applied: true, refusedLive: true, problem: { type: 'schedule-infeasible' } });
    expect(ev.operations[0].effect.ordersMadeLate.length).toBeGreaterThan(0);
    expect(ev.ordersMadeLate.length).toBeGreaterThan(0);
    // Promotion applies the live rules: refused, naming the operation.
    const promoted = await c.call('POST', `scenarios/${created.json().id}/promote`, 'planner');
    expect(promoted.statusCode, promoted.body).toBe(409);
    expect(promoted.json().operationIndex).toBe(0);
  });
  it('applies the revocation of a ranged shift orders count on, with refusedLive and the orders it makes late', async () => {
    const { changeId } = await saturdayInUse({ from: '2026-11-28', to: '2026-12-05', weekdays: [6] });
    const live = await c.call('DELETE', `capacity-changes/${changeId}`, 'planner', { reason: 'what if' });
    expect(live.statusCode, live.body).toBe(409);
    const created = await c.call('POST', 'scenarios', 'planner', {
      name: 'No Saturdays',
      operations: [{ type: 'revoke-capacity-change', id: changeId, reason: 'what if' }],
    });
    expect(created.statusCode, created.body).toBe(201);
    const ev = (await c.call('GET', `scenarios/${created.json().id}/evaluation`, 'planner')).json();
    expect(ev.operations[0]).toMatchObject({ applied: true, refusedLive: true, problem: { type: 'schedule-infeasible' } });
    expect(ev.operations[0].effect.minutesDelta).toBeLessThan(0);
    expect(ev.operations[0].effect.ordersMadeLate.length).toBeGreaterThan(0);
    // The simulation wrote nothing: the change is still in force live.
    const still = await c.call('DELETE', `capacity-changes/${changeId}`, 'planner', { reason: 'what if' });
    expect(still.statusCode).toBe(409);
    const promoted = await c.call('POST', `scenarios/${created.json().id}/promote`, 'planner');
    expect(promoted.statusCode, promoted.body).toBe(409);
    expect(promoted.json().operationIndex).toBe(0);
  });
  // reductionWhatIf lists every order replanAfterFact made late, hypothetical ones included:
  // their ids exist only inside the simulation (publicEffect hides them for the other
  // operations: "what is made inside a simulation has no id outside it"), so the planner reads
  // an order id no GET knows. Seen: [downtime Wed, hypothetical order of 50, downtime Thu]
  // lists the hypothetical order (promised 2026-12-04, earliest 2026-12-07) by its simulated id.
  // (That sequence no longer makes the hypothetical order late: it is now quoted 2026-12-08 with
  // slack; [hypothetical order of 50, downtime Wed] does, promised 2026-12-03, earliest 12-08.)
  // Expected: only real orders by id, a hypothetical one by its operation's index.
  it('names no hypothetical order by its simulated id among the orders a reduction makes late', async () => {
    const real: string[] = [];
    for (let i = 0; i < 8; i++) {
      const q = (await c.call('POST', 'quotes', 'planner', { sku: 'P1', quantity: 60 })).json();
      real.push((await c.order({ quantity: 60, promiseDate: q.earliestPromiseDate })).id);
    }
    const ops = [
      { type: 'hypothetical-order', sku: 'P1', quantity: 50 },
      { type: 'capacity-change', change: { resource: 'cnc', kind: 'downtime', date: '2026-11-25', reason: 'what if' } },
    ];
    const created = await c.call('POST', 'scenarios', 'planner', { name: 'Wednesday down', operations: ops });
    expect(created.statusCode, created.body).toBe(201);
    const ev = (await c.call('GET', `scenarios/${created.json().id}/evaluation`, 'planner')).json();
    expect(ev.operations[1]).toMatchObject({ applied: true, refusedLive: true });
    const entries = ev.operations[1].effect.ordersMadeLate as { orderId?: string; hypotheticalOrderIndex?: number }[];
    const listed = entries.flatMap((l) => (l.orderId === undefined ? [] : [l.orderId]));
    expect(listed.length).toBeGreaterThan(0);
    for (const id of listed) expect(real).toContain(id);
    // The hypothetical order is made late too, and named by its operation's index only.
    expect(entries.filter((l) => l.orderId === undefined)).toEqual([
      { hypotheticalOrderIndex: 0, promiseDate: expect.any(String), earliestPromiseDate: expect.any(String) },
    ]);
  });
});
