import type { KyselyPlugin, RootOperationNode } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/domain/actor.ts';
import { quote, type PromisingDeps } from '../../src/domain/promising/quotes.ts';
import type { QuoteRecorder } from '../../src/domain/quote-recorder.ts';
import { sweepExpiredHolds } from '../../src/domain/schedule/hold-sweeper.ts';
import { standaloneScheduleDeps } from '../../src/domain/schedule/schedule-writer.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { seedPlant } from '../helpers/builders.ts';

/** Every statement a Kysely handle runs, as its operation node (kind and tables). */
function statementLog() {
  const nodes: RootOperationNode[] = [];
  const plugin: KyselyPlugin = {
    transformQuery: (args) => {
      nodes.push(args.node);
      return args.node;
    },
    transformResult: async (args) => args.result,
  };
  return {
    plugin,
    clear: () => (nodes.length = 0),
    writes: () => nodes.filter((n) => n.kind !== 'SelectQueryNode').map((n) => n.kind),
    reading: (table: string) => nodes.filter((n) => JSON.stringify(n).includes(`"${table}"`)).length,
  };
}

// A quote answers from memory: it never commits a write, not even to expire a hold, and it
// reads the plant's configuration at most once (only when it changed).
describe('a quote is a read', () => {
  let t: TestApp;
  const log = statementLog();
  let deps: PromisingDeps;
  const sales: Actor = { keyId: 'k-sales', name: 'quote test', role: 'sales', principal: 'k-sales', plantIds: null };
  const ask = { sku: 'P1', quantity: 20, requestedDate: '2026-11-25' };
  const version = async () => (await t.db.db.selectFrom('plants').select('schedule_version').executeTakeFirstOrThrow()).schedule_version;
  const expiries = async () =>
    (await t.db.db.selectFrom('schedule_events').select('type').where('type', '=', 'hold.expired').execute()).length;

  beforeAll(async () => {
    t = await buildTestApp({ now: '2026-11-23T08:00:00Z' });
    // PB 2 so that Wednesday (LT 2) is at the floor: the floor is max(LT, PB) (issue 12 item 8).
    await seedPlant(t, 'plant-1', { productionBufferDays: 2, shippingBufferDays: 2, standardLeadTimeDays: 2 });
    const db = t.db.db.withPlugin(log.plugin);
    const recorder = { record: () => {} } as unknown as QuoteRecorder;
    deps = { ...standaloneScheduleDeps(db, t.clock), quotes: recorder, maxOrderQuantity: 100_000, planningHorizonDays: 1826 };
  });
  afterAll(async () => t.close());

  it('ignores a hold past its expiry without expiring it, and reads the configuration once', async () => {
    const before = await quote(deps, 'plant-1', sales, ask);
    const hold = await t.app.inject({
      method: 'POST',
      url: '/v1/plants/plant-1/holds',
      headers: t.as('sales'),
      payload: { sku: 'P1', quantity: 50, ttlSeconds: 60 },
    });
    expect(hold.statusCode).toBe(201);
    const held = await quote(deps, 'plant-1', sales, ask);
    expect(held.earliestPromiseDate >= before.earliestPromiseDate).toBe(true);

    const expiredBefore = await expiries(); // the tests run shuffled: the other one may have expired a hold
    t.clock.advance(61_000);
    const v = await version();
    log.clear();
    const after = await quote(deps, 'plant-1', sales, ask);
    expect(log.writes()).toEqual([]);
    expect(after).toMatchObject({ earliestPromiseDate: before.earliestPromiseDate, requestedDateFeasible: before.requestedDateFeasible });
    expect(await version()).toBe(v);
    expect(await expiries()).toBe(expiredBefore);

    // New capacity rules: the next quote loads the configuration, once.
    const overtime = await t.app.inject({
      method: 'POST',
      url: '/v1/plants/plant-1/capacity-changes',
      headers: t.as('planner'),
      payload: { resource: 'cnc', kind: 'overtime', date: '2026-11-23', start: '22:00', end: '23:00', reason: 'rush' },
    });
    expect(overtime.statusCode).toBe(201);
    // That write expired the hold first.
    expect(await expiries()).toBe(expiredBefore + 1);
    log.clear();
    await quote(deps, 'plant-1', sales, ask);
    expect(log.writes()).toEqual([]);
    expect(log.reading('buffer_policies')).toBe(1);
    expect(log.reading('products')).toBe(1);
    log.clear();
    await quote(deps, 'plant-1', sales, ask);
    expect(log.reading('buffer_policies')).toBe(0);
  });

  it('leaves the expiry to the sweep when no write comes', async () => {
    const hold = await t.app.inject({
      method: 'POST',
      url: '/v1/plants/plant-1/holds',
      headers: t.as('sales'),
      payload: { sku: 'P1', quantity: 5, ttlSeconds: 60 },
    });
    expect(hold.statusCode).toBe(201);
    t.clock.advance(61_000);
    const n = await expiries();
    await quote(deps, 'plant-1', sales, ask);
    expect(await expiries()).toBe(n);
    expect(await sweepExpiredHolds(deps)).toBe(1);
    expect(await expiries()).toBe(n + 1);
  });
});
