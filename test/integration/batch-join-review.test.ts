import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { seedPlant } from '../helpers/builders.ts';
import { realPostgresAvailable } from '../helpers/db.ts';

// Found in review of the batch join (ScheduleWriter.commitBatch): a batch reads its `now` and
// runs housekeeping (hold expiry, release tick, frozen head) once. A write that joined it while
// its writes ran was decided at that `now`, taken before the write was even sent: a hold that
// expired before the confirm was sent was confirmed, and rows and events carried an instant
// before the request existed. Writes now join only before the batch reads its clock.
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

  it('a confirm sent after its hold expired is refused while an earlier batch runs', async () => {
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

  it('an order created by a write that joined a batch is stamped no earlier than its request was sent', async () => {
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
