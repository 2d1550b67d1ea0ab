import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { seedPlant } from '../helpers/builders.ts';
import { client, databaseKinds } from '../helpers/planning.ts';

// The thresholds of dynamic buffer management and the KPI percentile, each judged exactly
// at its boundary, on a plant of its own. PB 4 working days (3 840 drum minutes): judged on
// Monday 2026-12-07 09:00 Berlin, DBM looks back two periods to Wednesday 11-25, the second
// period starting Tuesday 12-01.
const NOW = '2026-11-23T08:00:00Z';
const JUDGED = '2026-12-07T08:00:00Z';

type Client = ReturnType<typeof client>;

describe.each(databaseKinds())('planning thresholds on %s', (kind) => {
  let t: TestApp;
  let plants = 0;
  beforeAll(async () => {
    t = await buildTestApp({ now: NOW, kind });
  });
  afterAll(async () => t.close());
  beforeEach(() => t.clock.set(NOW));

  const newPlant = async (policy?: Record<string, number>) => {
    const id = `thresholds-${++plants}`;
    await seedPlant(t, id, policy);
    return client(() => t, id);
  };

  /**
   * Completes released orders so that they finish in the given zones, over both periods:
   * green early (Thursday 11-26) and green late (Wednesday 12-02) are promised for 12-18,
   * well before their buffer starts (0 %); yellow (Thursday 12-03 09:00 Berlin, 1 740 of
   * 3 840 minutes left: 55 %) and red (Friday 12-04 12:00, 600 left: 84 %) for 12-04.
   */
  const history = async (c: Client, n: { earlyGreen: number; lateGreen: number; yellow: number; red: number }) => {
    const make = async (count: number, promiseDate: string) => {
      const ids: string[] = [];
      for (let i = 0; i < count; i++) ids.push((await c.order({ quantity: 1, promiseDate })).id);
      for (const id of ids) expect((await c.call('POST', `orders/${id}/release`, 'planner', {})).statusCode).toBe(200);
      return ids;
    };
    const earlyGreen = await make(n.earlyGreen, '2026-12-18');
    const lateGreen = await make(n.lateGreen, '2026-12-18');
    const yellow = await make(n.yellow, '2026-12-04');
    const red = await make(n.red, '2026-12-04');
    for (const [ids, at] of [
      [earlyGreen, '2026-11-26T08:00:00Z'],
      [lateGreen, '2026-12-02T08:00:00Z'],
      [yellow, '2026-12-03T08:00:00Z'],
      [red, '2026-12-04T11:00:00Z'],
    ] as const) {
      t.clock.set(at);
      for (const id of ids) {
        // complete takes no body: an undeclared field is a 400 and completes nothing.
        expect((await c.call('POST', `orders/${id}/complete`, 'erp', { completedAt: at })).statusCode).toBe(400);
        expect((await c.call('POST', `orders/${id}/complete`, 'erp', {})).statusCode).toBe(200);
      }
    }
    t.clock.set(JUDGED);
  };

  const plantSuggestion = async (c: Client) => {
    const res = await c.call('GET', 'buffer-suggestions', 'planner');
    expect(res.statusCode).toBe(200);
    return res.json().items.find((i: { sku: string | null }) => i.sku === null);
  };

  it('judges from exactly the minimum sample of five completions', async () => {
    const c = await newPlant();
    await history(c, { earlyGreen: 1, lateGreen: 1, yellow: 0, red: 3 });
    expect(await plantSuggestion(c)).toMatchObject({ completed: 5, direction: 'grow', suggestedDays: 5 });
  });

  it('does not grow the buffer when exactly 10 % finished in red', async () => {
    const c = await newPlant();
    await history(c, { earlyGreen: 4, lateGreen: 5, yellow: 0, red: 1 });
    expect(await plantSuggestion(c)).toMatchObject({
      completed: 10,
      zones: { green: 9, red: 1 },
      direction: null,
      suggestedDays: null,
    });
  });

  it('shrinks the buffer when exactly 90 % finished green and none in red', async () => {
    const c = await newPlant();
    await history(c, { earlyGreen: 4, lateGreen: 5, yellow: 1, red: 0 });
    expect(await plantSuggestion(c)).toMatchObject({
      completed: 10,
      zones: { green: 9, yellow: 1, red: 0 },
      direction: 'shrink',
      suggestedDays: 3,
    });
  });

  it('reports the 90th percentile of quoted lead times by nearest rank', async () => {
    // Lead times in calendar days from Monday 11-23: thirteen small quotes at the floor (2),
    // and 1 700, 2 700 and 3 700 drum minutes promising Thursday (3), Friday (4) and the
    // next Tuesday (8). Sixteen values, 0.9 × 16 = 14.4: the 90th percentile is the 15th
    // smallest, 4 (rounding 14.4 down would give 3, not subtracting the one 8).
    // PB 2 so that the floor is LT 2 (the floor is max(LT, PB), issue 12 item 8).
    const c = await newPlant({ productionBufferDays: 2, shippingBufferDays: 2, standardLeadTimeDays: 2 });
    const quantities = [...Array<number>(13).fill(1), 167, 267, 367];
    const promised: string[] = [];
    for (const quantity of quantities) {
      const q = await c.call('POST', 'quotes', 'sales', { sku: 'P1', quantity });
      expect(q.statusCode).toBe(200);
      promised.push(q.json().earliestPromiseDate);
    }
    expect(promised.slice(13)).toEqual(['2026-11-26', '2026-11-27', '2026-12-01']);
    const kpis = await c.call('GET', 'kpis?from=2026-11-23&to=2026-11-23', 'planner');
    expect(kpis.json().quotedLeadTimeDays).toEqual({ quotes: 16, mean: 2.56, p90: 4 });
  });
});
