import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/http/app.ts';
import type { TestApp } from '../helpers/app.ts';
import { databaseKinds } from '../helpers/planning.ts';
import { buildPoisonedApp, inOneBatch, seedBatchPlant } from '../helpers/write-batch.ts';

// Set-form batches (issue 11 item 4): the new orders of a batch reach the database together,
// so a row PostgreSQL rejects cannot be pinned on one write when it fails. The batch is rolled
// back (database and engine state) and its writes run again one per transaction: the other
// writes commit, the bad one alone gets a 5xx. The failure is injected in the database, as a
// trigger refusing one customer, so the service sees exactly what a real rejection looks like.
describe.each(databaseKinds())('a failure inside a set-form batch on %s', (kind) => {
  let t: TestApp;
  let plants = 0;

  beforeAll(async () => {
    t = await buildPoisonedApp(kind);
  });
  afterAll(async () => t.close());

  const newPlant = () => seedBatchPlant(t, `setform-${++plants}`);

  const order = (plant: string, customer: string, day: number, headers: Record<string, string> = {}) =>
    t.app.inject({
      method: 'POST',
      url: `/v1/plants/${plant}/orders`,
      headers: { ...t.as('sales'), ...headers },
      payload: { sku: 'P1', quantity: 2, promiseDate: `2027-03-${String(day).padStart(2, '0')}`, customer },
    });

  async function orderCustomers(plant: string): Promise<string[]> {
    const rows = await t.db.db.selectFrom('orders').select('customer').where('plant_id', '=', plant).orderBy('customer').execute();
    return rows.map((r) => r.customer ?? '');
  }

  it.each([0, 3, 6])('write %i of seven fails alone with a 5xx; the other six commit', async (k) => {
    const plant = await newPlant();
    const customers = Array.from({ length: 7 }, (_, i) => (i === k ? 'poison' : `c${i}`));
    const answers = await inOneBatch(
      t,
      plant,
      customers.map((c, i) => () => order(plant, c, i + 1)),
    );

    expect(answers.map((a) => a.statusCode)).toEqual(customers.map((c) => (c === 'poison' ? 500 : 201)));
    const failed = answers[k]!;
    expect(failed.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(failed.json()).toMatchObject({ status: 500 });

    expect(await orderCustomers(plant)).toEqual(customers.filter((c) => c !== 'poison').sort());
    const events = await t.db.db.selectFrom('schedule_events').select(['type', 'schedule_version']).where('plant_id', '=', plant).execute();
    expect(events.filter((e) => e.type === 'order.created')).toHaveLength(6);

    // The warm process (whose engine state lived through the failed batch) answers as a cold one.
    const warm = (await t.app.inject({ method: 'GET', url: `/v1/plants/${plant}/schedule`, headers: t.as('planner') })).json();
    expect(warm.feasible).toBe(true);
    expect(warm.orders.map((o: { customer: string }) => o.customer).sort()).toEqual(customers.filter((c) => c !== 'poison').sort());
    const fresh = await buildApp({ db: t.db.db, clock: t.clock, maxOrderQuantity: 100_000 });
    try {
      const cold = await fresh.inject({ method: 'GET', url: `/v1/plants/${plant}/schedule`, headers: t.as('planner') });
      expect(cold.json()).toEqual(warm);
    } finally {
      await fresh.close();
    }
  });

  it('a second order of the batch sees the first one (read-your-writes): a reused external id is refused', async () => {
    const plant = await newPlant();
    const push = (customer: string, day: number) =>
      t.app.inject({
        method: 'POST',
        url: `/v1/plants/${plant}/orders`,
        headers: t.as('sales'),
        payload: { sku: 'P1', quantity: 2, promiseDate: `2027-03-0${day}`, customer, externalId: 'SO-1' },
      });
    const [first, second] = await inOneBatch(t, plant, [() => push('a', 1), () => push('b', 2)]);
    expect(first!.statusCode).toBe(201);
    expect(second!.statusCode).toBe(409);
    expect(await orderCustomers(plant)).toEqual(['a']);
  });

  it('an Idempotency-Key write inside the batch keeps its record and its order together', async () => {
    const plant = await newPlant();
    const key = { 'idempotency-key': `k-${plant}` };
    const answers = await inOneBatch(t, plant, [() => order(plant, 'a', 1), () => order(plant, 'b', 2, key), () => order(plant, 'c', 3)]);
    expect(answers.map((a) => a.statusCode)).toEqual([201, 201, 201]);
    const replay = await order(plant, 'b', 2, key);
    expect(replay.statusCode).toBe(201);
    expect(replay.json().id).toBe(answers[1]!.json().id);
    expect(await orderCustomers(plant)).toEqual(['a', 'b', 'c']);
  });
});
