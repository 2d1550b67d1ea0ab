import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { seedPlant } from '../helpers/builders.ts';
import { realPostgresAvailable } from '../helpers/db.ts';

// Review of branch svccost, ScheduleWriter's batch join (commitBatch's `join`). A batch takes
// its `now` (Batch.now, from the clock) and runs housekeeping (hold expiry, release tick, frozen
// head) once, right after it gets the plant lock. On main a write that queued while a batch ran
// formed the next batch, whose `now` is read after that write arrived: every write decided at
// a `now` no earlier than its request. With the join, a write that arrives while the batch's
// writes run is decided at the batch's `now`, taken before the write was even sent, and with
// the housekeeping of that instant. So a hold that expired before the confirm was sent is
// confirmed (the salesperson gets a 201 for capacity the plant's policy had already freed),
// and the order's rows and events carry an instant before the request existed. The staleness
// is a batch's length (ms to a capacity rebuild's ~0.3 s), and under load batches always run
// while writes arrive.
// PostgreSQL only: on PGlite's one connection the second request waits for the running batch's
// connection before it reaches the writer, so it cannot join.
describe.skipIf(!realPostgresAvailable())('a write that joins a running batch on postgres', () => {
  const kind = 'postgres';
  let t: TestApp;
  let plants = 0;
  beforeAll(async () => {
    t = await buildTestApp({ kind, now: '2026-11-23T08:00:00Z' });
  });
  afterAll(async () => t.close());

  const newPlant = async () => {
    const id = `join-rv-${++plants}`;
    await seedPlant(t, id, { productionBufferDays: 2, shippingBufferDays: 2, standardLeadTimeDays: 2 });
    return id;
  };
  const call = (plant: string, method: 'POST' | 'GET', path: string, payload?: object) =>
    t.app.inject({ method, url: `/v1/plants/${plant}/${path}`, headers: t.as('sales'), ...(payload ? { payload } : {}) });

  /** A write that holds its batch open (lock taken, `now` read, housekeeping done) until `open()`. */
  function runningBatch(plant: string) {
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    const done = t.writer.write(plant, null, async () => {
      started();
      await gate;
      return null;
    });
    return { running, open, done };
  }

  it.fails('a confirm sent after its hold expired is refused, as on main (it joins a batch that decided the hold was alive)', async () => {
    const plant = await newPlant();
    t.clock.set('2026-11-23T08:00:00Z');
    const hold = await call(plant, 'POST', 'holds', { sku: 'P1', quantity: 1, ttlSeconds: 60 });
    expect(hold.statusCode).toBe(201);
    const id = hold.json().id as string;

    const batch = runningBatch(plant);
    await batch.running;
    // The hold expires; then the salesperson confirms it.
    t.clock.advance(61_000);
    const confirm = call(plant, 'POST', `holds/${id}/confirm`, {});
    while (t.writer.queued(plant) < 1) await new Promise((r) => setTimeout(r, 2));
    batch.open();
    await batch.done;

    const res = await confirm;
    expect(res.statusCode).toBe(409);
    expect((await call(plant, 'GET', `orders/${id}`)).json().status).toBe('expired');
  });

  it.fails('an order created by a write that joined a batch is stamped no earlier than its request was sent', async () => {
    const plant = await newPlant();
    t.clock.set('2026-11-23T08:00:00Z');
    const batch = runningBatch(plant);
    await batch.running;
    t.clock.advance(120_000);
    const sentAt = t.clock.now();
    const created = call(plant, 'POST', 'orders', { sku: 'P1', quantity: 1, promiseDate: '2027-03-01', customer: 'late' });
    while (t.writer.queued(plant) < 1) await new Promise((r) => setTimeout(r, 2));
    batch.open();
    await batch.done;

    const res = await created;
    expect(res.statusCode).toBe(201);
    const row = await t.db.db.selectFrom('orders').select('created_at').where('id', '=', res.json().id).executeTakeFirstOrThrow();
    expect(new Date(row.created_at).getTime()).toBeGreaterThanOrEqual(sentAt.getTime());
  });
});
