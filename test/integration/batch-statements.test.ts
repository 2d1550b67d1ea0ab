import { PGlite } from '@electric-sql/pglite';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { sendLater, sendTogether } from '../../src/db/deferred-statements.ts';
import { inlineJson, inlineText, quoteLiteral } from '../../src/db/literals.ts';
import { buildApp, type App } from '../../src/http/app.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { seedPlant } from '../helpers/builders.ts';
import { client, databaseKinds } from '../helpers/planning.ts';

// Confirm throughput on one plant is bounded by what a batch costs while it holds the plant
// lock, and on a busy machine each round trip to PostgreSQL costs most (a socket write and a
// wake-up on both sides). A new order is a row in memory until the batch ends, so an order
// adds nothing; the batch itself is two round trips on PostgreSQL: BEGIN and the lock (with
// the catch-up reads when the plant's last batch found another process's commit), then the
// rows, the events with the version, and COMMIT together (db/deferred-statements.ts). A batch
// that guessed wrong (the lock alone, and another process had committed) reads the changes in
// one round trip more. Counted where they leave the process (complexity guards: round trips,
// not milliseconds).
/** What the batch's events append reads as, in the statement text. */
const APPENDS_EVENTS = 'drumbeat_append_events(';
/** What the catch-up reads of orders changed since a version read as (db/repos/plant-versions.ts changesQueries). */
const READS_CHANGES = 'AND changed_version > ';

/**
 * Each call of the driver's client is one message to the database (pg: a round trip). Other
 * work of the process (a webhook poll, the quote recorder's flush) sends its own on another
 * connection, or (PGlite: one connection) outside the transaction, which holds the connection
 * until its COMMIT: a transaction's round trips are its connection's, from its BEGIN to its COMMIT.
 */
class SentStatements {
  private calls: { client: unknown; text: string }[] = [];

  spy(target: { query: (...args: never[]) => unknown }) {
    const send = target.query as (this: unknown, ...args: unknown[]) => unknown;
    const calls = () => this.calls;
    vi.spyOn(target, 'query').mockImplementation(function (this: unknown, ...args: unknown[]) {
      calls().push({ client: this, text: typeof args[0] === 'string' ? args[0] : '' });
      return send.apply(this, args) as never;
    } as never);
  }

  reset() {
    this.calls = [];
  }

  /** Calls of the transaction that sent a statement containing `marker` (exactly one did), BEGIN to COMMIT. */
  ofTransaction(marker: string): string[] {
    const marked = this.calls.filter((c) => c.text.includes(marker));
    expect(new Set(marked.map((c) => c.client)).size).toBe(1);
    const own = this.calls.filter((c) => c.client === marked[0]!.client);
    const at = own.indexOf(marked[0]!);
    let begin = at;
    while (begin >= 0 && !/^(begin|start transaction)\b/.test(own[begin]!.text)) begin--;
    const commit = own.findIndex((c, i) => i >= at && /(^|;\n)commit$/.test(c.text));
    expect(begin).toBeGreaterThanOrEqual(0);
    expect(commit).toBeGreaterThanOrEqual(at);
    return own.slice(begin, commit + 1).map((c) => c.text);
  }

  /** Calls that open or end a transaction, on any connection. */
  boundaries(): number {
    return this.calls.filter((c) => /^(begin|start transaction|commit|rollback)\b|;\ncommit$/.test(c.text)).length;
  }
}

describe.each(databaseKinds())('round trips per batch on %s', (kind) => {
  let t: TestApp;
  let plants = 0;
  const sent = new SentStatements();

  beforeAll(async () => {
    t = await buildTestApp({ kind, now: '2026-11-23T08:00:00Z' });
    sent.spy(kind === 'postgres' ? pg.Client.prototype : PGlite.prototype);
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await t.close();
  });

  async function newPlant() {
    const id = `rt-${++plants}`;
    await seedPlant(t, id, { productionBufferDays: 2, shippingBufferDays: 2, standardLeadTimeDays: 2 });
    return id;
  }

  let day = 0;
  const orderBody = (sku: string) => ({
    sku,
    quantity: 2,
    // A day each, far out: every order fits.
    promiseDate: `2027-0${3 + Math.floor(day / 28)}-${String(1 + (day++ % 28)).padStart(2, '0')}`,
    customer: 'c',
  });

  /** What one write transaction sent: its round trips, and whether it read the orders changed since a version. */
  function sentBy(marker: string) {
    const calls = sent.ofTransaction(marker);
    return { roundTrips: calls.length, readsChanges: calls.some((c) => c.includes(READS_CHANGES)) };
  }

  /** Round trips of one batch of `n` new orders forced together (ScheduleWriter.hold). */
  async function batchOf(app: App, plant: string, n: number, sku: string) {
    const release = t.writer.hold(plant);
    const pending = Array.from({ length: n }, () =>
      app.inject({ method: 'POST', url: `/v1/plants/${plant}/orders`, headers: t.as('sales'), payload: orderBody(sku) }),
    );
    while (t.writer.queued(plant) < n) await new Promise((r) => setTimeout(r, 5));
    sent.reset();
    release();
    const answers = await Promise.all(pending);
    const cost = sentBy(APPENDS_EVENTS);
    expect(answers.map((r) => r.statusCode)).toEqual(Array(n).fill(201));
    return { ...cost, ids: answers.map((r) => r.json().id as string) };
  }

  // PostgreSQL: [BEGIN, lock (, catch-up reads)] and [rows, events and version, COMMIT]. PGlite
  // runs in process (no round trip to save): each statement on its own, none per order.
  const LOCK_ALONE = kind === 'postgres' ? 2 : 5;
  const READS_WITH_LOCK = kind === 'postgres' ? 2 : 7;
  const READS_AFTER_LOCK = kind === 'postgres' ? 3 : 7;

  it.each(['P1', 'SAWN'])(
    'a batch of new orders of %s on a plant only this process writes sends the lock alone, whatever its size',
    async (sku) => {
      const plant = await newPlant();
      // Warm: the plant state is built, and a batch has seen that nobody else writes the plant.
      await batchOf(t.app, plant, 1, sku);
      await batchOf(t.app, plant, 1, sku);
      const five = await batchOf(t.app, plant, 5, sku);
      const fifteen = await batchOf(t.app, plant, 15, sku);
      for (const b of [five, fifteen]) expect(b).toMatchObject({ roundTrips: LOCK_ALONE, readsChanges: false });
    },
  );

  it('a batch after another process committed catches up: one round trip more after a quiet spell, none while the other keeps writing', async () => {
    const plant = await newPlant();
    await batchOf(t.app, plant, 1, 'P1'); // warm
    await batchOf(t.app, plant, 1, 'P1');
    // A second process on the same database: its own writer and engine state.
    const other = await buildApp({ db: t.db.db, clock: t.clock, maxOrderQuantity: 100_000 });
    await other.ready();
    try {
      const theirs = client(() => ({ ...t, app: other }), plant);
      const state = () => t.writer.deps.cache.peek(plant)!;
      const expectCaughtUp = (ids: string[]) => {
        for (const id of ids) expect(state().book!.has(id)).toBe(true);
      };

      // Nobody else wrote before: the lock goes alone, finds the other's commit, and reads.
      const first = await theirs.order({ quantity: 3, promiseDate: '2027-02-01' }, 'sales');
      const afterQuiet = await batchOf(t.app, plant, 3, 'P1');
      expectCaughtUp([first.id, ...afterQuiet.ids]);
      expect(state().route!.get(first.id)?.ops.length).toBeGreaterThan(0);
      expect(afterQuiet).toMatchObject({ roundTrips: READS_AFTER_LOCK, readsChanges: true });

      // The last batch found another's commit: the reads ride with the lock.
      const second = await theirs.order({ quantity: 2, promiseDate: '2027-02-02' }, 'sales');
      const whileBusy = await batchOf(t.app, plant, 2, 'P1');
      expectCaughtUp([second.id, ...whileBusy.ids]);
      expect(state().route!.get(second.id)?.ops.length).toBeGreaterThan(0);
      expect(whileBusy).toMatchObject({ roundTrips: READS_WITH_LOCK, readsChanges: true });

      // A wasted read finds nothing new; the batch after it sends the lock alone again.
      const idle = await batchOf(t.app, plant, 1, 'P1');
      expect(idle).toMatchObject({ roundTrips: READS_WITH_LOCK, readsChanges: true });
      const quiet = await batchOf(t.app, plant, 1, 'P1');
      expect(quiet).toMatchObject({ roundTrips: LOCK_ALONE, readsChanges: false });
      expectCaughtUp([...idle.ids, ...quiet.ids]);
      expect(state().version).toBe(
        (await t.db.db.selectFrom('plants').select('schedule_version').where('id', '=', plant).executeTakeFirstOrThrow()).schedule_version,
      );
    } finally {
      await other.close();
    }
  });

  it("a process's first batch on a plant it has only read sends the catch-up reads with its lock", async () => {
    const plant = await newPlant();
    await batchOf(t.app, plant, 1, 'P1');
    const other = await buildApp({ db: t.db.db, clock: t.clock, maxOrderQuantity: 100_000 });
    await other.ready();
    try {
      expect((await other.inject({ method: 'GET', url: `/v1/plants/${plant}/schedule`, headers: t.as('planner') })).statusCode).toBe(200);
      sent.reset();
      await client(() => ({ ...t, app: other }), plant).order({ quantity: 1, promiseDate: '2027-02-03' }, 'sales');
      expect(sentBy(APPENDS_EVENTS)).toMatchObject({ roundTrips: READS_WITH_LOCK, readsChanges: true });
    } finally {
      await other.close();
    }
  });

  it('a transaction that sends nothing costs no round trip; statements sent later go with the commit, in order', async () => {
    sent.reset();
    await t.db.db.transaction().execute(async () => {});
    expect(sent.boundaries()).toBe(0);

    const plant = await newPlant();
    sent.reset();
    const read = await t.db.db.transaction().execute(async (tx) => {
      await sendLater(tx, sql`SELECT set_config('drumbeat.test', ${inlineText(plant)}, true)`.compile(tx));
      // The later statement runs first: this read sees its setting.
      const [setting, plants] = await sendTogether(tx, [
        sql<{ v: string }>`SELECT current_setting('drumbeat.test') AS v`.compile(tx),
        sql<{ n: number }>`SELECT count(*)::int AS n FROM plants WHERE id = ${inlineText(plant)}`.compile(tx),
      ]);
      return [setting!.rows[0], plants!.rows[0]];
    });
    expect(read).toEqual([{ v: plant }, { n: 1 }]);
    expect(sent.ofTransaction("'drumbeat.test'")).toHaveLength(kind === 'postgres' ? 2 : 5);
  });

  it('a statement sent later that fails fails the commit, and nothing of the transaction stays', async () => {
    const plant = await newPlant();
    const before = await client(() => t, plant).version();
    const failing = t.db.db.transaction().execute(async (tx) => {
      await sendLater(tx, sql`UPDATE plants SET name = 'renamed' WHERE id = ${inlineText(plant)}`.compile(tx));
      await sendLater(tx, sql`SELECT 1 / 0`.compile(tx));
    });
    await expect(failing).rejects.toThrow(/division by zero/);
    const row = await t.db.db.selectFrom('plants').select('name').where('id', '=', plant).executeTakeFirstOrThrow();
    expect(row.name).not.toBe('renamed');
    expect(await client(() => t, plant).version()).toBe(before);
  });

  it.runIf(kind === 'postgres')('a read after the lock in the same round trip sees the commit the lock waited for', async () => {
    const plant = await newPlant();
    await sql`CREATE TABLE IF NOT EXISTS snapshot_probe (plant_id text NOT NULL)`.execute(t.db.db);
    const other = new pg.Client({ connectionString: t.db.url });
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query('SELECT 1 FROM plants WHERE id = $1 FOR UPDATE', [plant]);
      const waiting = t.db.db
        .transaction()
        .execute((tx) =>
          sendTogether(tx, [
            sql`SELECT id FROM plants WHERE id = ${inlineText(plant)} FOR UPDATE`.compile(tx),
            sql<{ n: number }>`SELECT count(*)::int AS n FROM snapshot_probe WHERE plant_id = ${inlineText(plant)}`.compile(tx),
          ]),
        );
      // Until the script waits for the lock: its second statement runs only after this commit.
      const waitsForLock = async () =>
        (await other.query("SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'")).rowCount! > 0;
      while (!(await waitsForLock())) await new Promise((r) => setTimeout(r, 10));
      await other.query('INSERT INTO snapshot_probe VALUES ($1), ($1)', [plant]);
      await other.query('COMMIT');
      const [, probe] = await waiting;
      expect(probe!.rows).toEqual([{ n: 2 }]);
    } finally {
      await other.end();
    }
  });

  it('reads back every value written into SQL text exactly as a bind parameter carries it', async () => {
    const texts = [
      "it's",
      'back\\slash',
      "both \\' and '",
      '$1 $$ $tag$',
      'line\nbreak\ttab',
      'ünïcödé 🥁',
      '',
      "'; DROP TABLE orders; --",
    ];
    for (const text of texts) {
      const { rows } = await sql<{
        inlined: string;
        bound: string;
      }>`SELECT ${inlineText(text)}::text AS inlined, ${text}::text AS bound`.execute(t.db.db);
      expect(rows[0]!.inlined).toBe(text);
      expect(rows[0]!.bound).toBe(text);
    }
    const json = JSON.stringify({ quote: "O'Brien", bs: 'C:\\path', nested: ['"x"', null, 1.5] });
    const { rows } = await sql<{ v: unknown }>`SELECT ${inlineJson(json)} AS v`.execute(t.db.db);
    expect(rows[0]!.v).toEqual(JSON.parse(json));
    expect(() => quoteLiteral('nul\u0000byte')).toThrow(/NUL/);
  });
});
