import type {
  KyselyPlugin,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryId,
  QueryResult,
  RootOperationNode,
  UnknownRow,
} from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { seedPlant } from '../helpers/builders.ts';
import { client, databaseKinds } from '../helpers/planning.ts';

/** Holds the first query of a kind on a table, once armed, until the test lets it answer. */
class QueryPause implements KyselyPlugin {
  private armed: { kind: RootOperationNode['kind']; table: string; reached(): void; release: Promise<void> } | null = null;
  private readonly paused = new WeakSet<QueryId>();

  arm(kind: RootOperationNode['kind'], table: string) {
    let reached!: () => void;
    let release!: () => void;
    const atPause = new Promise<void>((resolve) => (reached = resolve));
    this.armed = { kind, table, reached, release: new Promise<void>((resolve) => (release = resolve)) };
    return { reached: atPause, release };
  }

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    const { node } = args;
    const armed = this.armed;
    if (armed && node.kind === armed.kind && JSON.stringify(node).includes(`"name":"${armed.table}"`)) {
      this.paused.add(args.queryId);
      this.armed = null;
      this.held.set(args.queryId, armed);
    }
    return node;
  }

  private readonly held = new WeakMap<QueryId, { reached(): void; release: Promise<void> }>();

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    const held = this.paused.has(args.queryId) ? this.held.get(args.queryId) : undefined;
    if (held) {
      held.reached();
      await held.release;
    }
    return args.result;
  }
}

// Issue 11: a planner's preview awaits the database while it works on the engine state. A write
// batch of the same process must not change that state midway: the preview answers from the
// committed schedule, before the batch or after it, never from the batch's open transaction.
describe.each(databaseKinds())('a capacity-change preview during a write batch on %s', (kind) => {
  const pause = new QueryPause();
  let t: TestApp;
  let plants = 0;
  let c: ReturnType<typeof client>;

  beforeAll(async () => {
    t = await buildTestApp({ kind, plugin: pause });
  });
  afterAll(async () => {
    await t.close();
  });
  beforeEach(async () => {
    const plant = `preview-read-${++plants}`;
    // Monday 2026-11-23 09:00 Berlin; the drum "cnc" works 06:00–22:00, P1 = 30 + 10 × qty minutes.
    await seedPlant(t, plant, { productionBufferDays: 2, shippingBufferDays: 2, standardLeadTimeDays: 2 });
    c = client(() => t, plant);
  });

  // Leaves 300 drum minutes on Monday: two Wednesday orders of 230 and 80 minutes no longer fit.
  const downtime = { resource: 'cnc', kind: 'downtime', date: '2026-11-23', start: '14:00', end: '22:00', reason: 'spindle repair' };
  const preview = async () => {
    const res = await c.call('POST', 'capacity-changes?preview=true', 'planner', downtime);
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as { late: { orderId: string }[]; scheduleVersion: number };
  };

  it('answers from the committed schedule while an order is being written, and sees the order once committed', async () => {
    await c.order({ quantity: 20, promiseDate: '2026-11-25' });
    const before = await preview();
    expect(before.late).toEqual([]);

    // The preview has read the state and waits for the resource's calendar.
    const atCalendar = pause.arm('SelectQueryNode', 'resources');
    const during = preview();
    await atCalendar.reached;
    // Meanwhile a second Wednesday order is written in this process (on PostgreSQL, by a batch that waits for the plant's state).
    const second = c.call('POST', 'orders', 'sales', { sku: 'P1', quantity: 5, customer: 'ACME', promiseDate: '2026-11-25' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    atCalendar.release();

    expect(await during).toEqual(before);
    const written = await second;
    expect(written.statusCode, written.body).toBe(201);
    const after = await preview();
    expect(after.scheduleVersion).toBe(before.scheduleVersion + 1);
    expect(after.late.length).toBe(1);
  });
});
