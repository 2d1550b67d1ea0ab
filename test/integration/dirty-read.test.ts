import { PGlite } from '@electric-sql/pglite';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { Metrics } from '../../src/http/metrics/metrics.ts';
import { buildMetricsApp } from '../../src/http/metrics/metrics-server.ts';
import { toMinute } from '../../src/domain/schedule/plant-cache.ts';
import { routePlanInSlices } from '../../src/domain/schedule/route-plan-slices.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { seedPlant } from '../helpers/builders.ts';
import { client, databaseKinds, quoteAnswer } from '../helpers/planning.ts';

/**
 * Holds a write batch inside its open transaction after its rows and events reached the
 * database and before its COMMIT: by then the batch has changed the engine state in memory
 * (the hold is in the drum book) and its rows sit uncommitted in the database. The test then
 * lets it commit, or fails it as a lost connection would (an error no refusal explains: the
 * batch is rolled back and the cached state dropped). Caught where statements leave the
 * process: on PostgreSQL the rows, the events and the COMMIT travel as one script
 * (db/deferred-statements.ts), which the pause splits in two, the COMMIT held back; PGlite
 * gets them one by one and the pause holds the COMMIT after the events.
 */
class CommitPause {
  private armed: { reached(): void; outcome: Promise<Error | null> } | null = null;
  private eventsSent = false;

  arm() {
    let reached!: () => void;
    let settle!: (failure: Error | null) => void;
    const atPause = new Promise<void>((resolve) => (reached = resolve));
    this.armed = { reached, outcome: new Promise<Error | null>((resolve) => (settle = resolve)) };
    this.eventsSent = false;
    return { reached: atPause, commit: () => settle(null), fail: (e: Error) => settle(e) };
  }

  /** Wraps the client's query (pg.Client or PGlite): `send` is the original. */
  spy(target: { query: (...args: never[]) => unknown }) {
    const send = target.query as (this: unknown, ...args: unknown[]) => Promise<unknown>;
    const intercepting = (text: string) =>
      this.armed && text ? (send: (t: string) => Promise<unknown>) => this.intercept(text, send) : null;
    vi.spyOn(target, 'query').mockImplementation(function (this: unknown, ...args: unknown[]) {
      const intercept = intercepting(typeof args[0] === 'string' ? args[0] : '');
      return intercept ? intercept((t) => send.call(this, t, ...args.slice(1))) : (send.apply(this, args) as never);
    } as never);
  }

  private async intercept(text: string, send: (text: string) => Promise<unknown>): Promise<unknown> {
    const appendsEvents = text.includes('drumbeat_append_events(');
    if (text.endsWith(SCRIPT_COMMIT) && appendsEvents) {
      const head = await send(text.slice(0, -SCRIPT_COMMIT.length));
      await this.hold();
      return [...(Array.isArray(head) ? head : [head]), await send('commit')];
    }
    if (text === 'commit' && this.eventsSent) await this.hold();
    else if (appendsEvents) this.eventsSent = true;
    return send(text);
  }

  private async hold() {
    const armed = this.armed!;
    this.armed = null;
    armed.reached();
    const failure = await armed.outcome;
    if (failure) throw failure;
  }
}

/** How a script's last statement, the COMMIT, is joined to the rest (db/pg-driver.ts). */
const SCRIPT_COMMIT = ';\ncommit';

/** Gives reads sent while a batch is paused the time to answer if they are going to (a dirty read does at once). */
const settleOrGiveUp = (reads: Promise<unknown>[]) =>
  Promise.race([Promise.allSettled(reads), new Promise((resolve) => setTimeout(resolve, 300))]);

function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

// Issue 11: a group-commit batch changes the plant's cached engine state while its transaction
// is still open. Reads in the same process (quotes, the schedule, the metrics gauges)
// must see the last committed state: never a hold that is not committed, and may never be.
describe.each(databaseKinds())('reads during an uncommitted write batch on %s', (kind) => {
  const pause = new CommitPause();
  const metrics = new Metrics();
  let t: TestApp;
  let scraper: Awaited<ReturnType<typeof buildMetricsApp>>;
  let plant = '';
  let plants = 0;
  let c: ReturnType<typeof client>;

  beforeAll(async () => {
    t = await buildTestApp({ kind, build: { metrics } });
    pause.spy(kind === 'postgres' ? pg.Client.prototype : PGlite.prototype);
    scraper = await buildMetricsApp(metrics);
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await scraper.close();
    await t.close();
  });
  beforeEach(async () => {
    plant = `dirty-${++plants}`;
    await seedPlant(t, plant, { productionBufferDays: 2, shippingBufferDays: 2, standardLeadTimeDays: 2 });
    c = client(() => t, plant);
    await c.order({ quantity: 40, promiseDate: '2026-12-02', customer: 'first' });
  });

  const quoteNow = async () => {
    const res = await c.call('POST', 'quotes', 'sales', { sku: 'P1', quantity: 40, requestedDate: '2026-11-26' });
    expect(res.statusCode).toBe(200);
    return quoteAnswer(res.json());
  };
  const schedule = async () => {
    const res = await c.call('GET', 'schedule', 'planner');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    return { version: body.scheduleVersion as number, orders: (body.orders as { id: string }[]).map((o) => o.id) };
  };
  const openHolds = async () => {
    const res = await scraper.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    return sample(res.body, `drumbeat_open_holds{plant="${plant}"}`);
  };
  /** Other sessions of this database holding the lock an INSERT into schedule_events takes until it ends. */
  const uncommittedEventWriters = async () => {
    const { rows } = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
      WHERE c.relname = 'schedule_events' AND l.mode = 'RowExclusiveLock' AND l.pid <> pg_backend_pid()
        AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`.execute(t.db.db);
    return rows[0]!.n;
  };
  // A hold big enough to move every later date: 5,030 drum minutes, over five days of two shifts.
  const bigHold = () => c.call('POST', 'holds', 'sales', { sku: 'P1', quantity: 500, ttlSeconds: 3600 });

  /** Starts the hold, waits until its batch has changed the engine state but not committed, and sends the reads. */
  async function readsWhileHeld() {
    const gate = pause.arm();
    const hold = bigHold();
    await gate.reached;
    if (kind === 'postgres') expect(await uncommittedEventWriters()).toBe(1);
    const reads = { quote: quoteNow(), schedule: schedule(), holds: openHolds() };
    await settleOrGiveUp(Object.values(reads));
    return { gate, hold, reads };
  }

  it('sees neither the uncommitted hold nor, after the batch failed, anything of it', async () => {
    const before = { quote: await quoteNow(), schedule: await schedule(), holds: await openHolds() };

    const { gate, hold, reads } = await readsWhileHeld();
    gate.fail(new Error('injected: connection lost before the commit'));
    expect((await hold).statusCode).toBe(500);

    expect(await reads.quote).toEqual(before.quote);
    expect(await reads.schedule).toEqual(before.schedule);
    expect((await reads.holds) ?? 0).toBe(before.holds ?? 0);
    // Nothing of the failed batch stays behind in the process either.
    expect(await quoteNow()).toEqual(before.quote);
    expect(await schedule()).toEqual(before.schedule);
  });

  it('leaves a state taken before a failed batch as committed, and a walk of its plan in slices waits for the batch', async () => {
    await quoteNow();
    const state = t.writer.deps.cache.peek(plant)!;
    const committed = state.book!.orders().map((o) => o.id);
    expect(committed).toHaveLength(1);

    const gate = pause.arm();
    const hold = bigHold();
    await gate.reached;
    // Pages of one order: the walk yields between them and must never read the open batch.
    const walk = routePlanInSlices(state, state.route!, toMinute(t.clock.now()), 1);
    gate.fail(new Error('injected: connection lost before the commit'));
    expect((await hold).statusCode).toBe(500);

    expect((await walk).map((p) => p.id)).toEqual(committed);
    expect(state.book!.orders().map((o) => o.id)).toEqual(committed);
    expect([...state.holdExpiry.entries()]).toEqual([]);
  });

  it('shows a committed batch right after its commit, and nothing of it before', async () => {
    const before = { quote: await quoteNow(), schedule: await schedule() };

    const { gate, hold, reads } = await readsWhileHeld();
    gate.commit();
    const held = await hold;
    expect(held.statusCode).toBe(201);
    const after = { quote: await quoteNow(), schedule: await schedule() };

    // The committed hold counts: the plan has it and the same quote now gets a later date.
    expect(after.schedule.version).toBe(before.schedule.version + 1);
    expect(after.schedule.orders).toContain(held.json().id);
    expect(after.quote.scheduleVersion).toBe(before.schedule.version + 1);
    expect((after.quote.earliestPromiseDate as string) > (before.quote.earliestPromiseDate as string)).toBe(true);
    expect(await openHolds()).toBe(1);
    // A read sent while the batch was open answers from one committed state: before it or after it, never in between.
    const during = await reads.quote;
    expect(during).toEqual(during.scheduleVersion === before.schedule.version ? before.quote : after.quote);
    const duringSchedule = await reads.schedule;
    expect(duringSchedule).toEqual(duringSchedule.version === before.schedule.version ? before.schedule : after.schedule);
  });
});
