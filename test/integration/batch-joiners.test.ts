import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.ts';
import { databaseKinds } from '../helpers/planning.ts';
import { buildPoisonedApp, holdPlantLock, seedBatchPlant } from '../helpers/write-batch.ts';

// Group commit takes the writes queued for a plant when its batch starts; writes that queue
// while that batch still waits for its connection and the plant's lock (another process's
// batch holds it about half the time on a busy plant) join it once it holds the lock,
// instead of waiting for its commit to pay a batch of their own. A joined write is one of
// the batch's: when the batch fails, it runs again alone like the others (set-form-batch).
describe.each(databaseKinds())('writes that join a waiting batch on %s', (kind) => {
  let t: TestApp;
  let plants = 0;

  beforeAll(async () => {
    t = await buildPoisonedApp(kind);
  });
  afterAll(async () => t.close());

  const newPlant = () => seedBatchPlant(t, `joiners-${++plants}`);

  const order = (plant: string, customer: string, day: number) =>
    t.app.inject({
      method: 'POST',
      url: `/v1/plants/${plant}/orders`,
      headers: t.as('sales'),
      payload: { sku: 'P1', quantity: 2, promiseDate: `2027-03-${String(day).padStart(2, '0')}`, customer },
    });

  async function orderCustomers(plant: string): Promise<string[]> {
    const rows = await t.db.db.selectFrom('orders').select('customer').where('plant_id', '=', plant).orderBy('customer').execute();
    return rows.map((r) => r.customer ?? '');
  }

  /**
   * Sends `first` into a batch that cannot get the plant's lock (another transaction holds the
   * plant row; on PGlite, the one connection), then `late` while the batch waits; then lets it
   * go. The batch sizes the writer reports, and the answers in order.
   */
  async function joinedWhileLocked(plant: string, first: () => ReturnType<typeof order>, late: (() => ReturnType<typeof order>)[]) {
    const sizes: number[] = [];
    t.writer.observeBatches((_, size) => sizes.push(size));
    const release = t.writer.hold(plant);
    const pending = [first()];
    while (t.writer.queued(plant) < 1) await new Promise((r) => setTimeout(r, 2));
    const lock = await holdPlantLock(t.db.db, plant);
    release();
    // The batch has taken `first` from the queue and waits; the late writes queue behind it.
    expect(t.writer.queued(plant)).toBe(0);
    for (const [i, send] of late.entries()) {
      pending.push(send());
      while (t.writer.queued(plant) < i + 1) await new Promise((r) => setTimeout(r, 2));
    }
    await lock.release();
    const answers = await Promise.all(pending);
    t.writer.observeBatches(() => {});
    return { sizes, answers };
  }

  it('writes that queue while a batch waits for the plant lock join that batch: one transaction', async () => {
    const plant = await newPlant();
    const { sizes, answers } = await joinedWhileLocked(plant, () => order(plant, 'a', 1), [
      () => order(plant, 'b', 2),
      () => order(plant, 'c', 3),
    ]);
    expect(answers.map((a) => a.statusCode)).toEqual([201, 201, 201]);
    expect(sizes).toEqual([3]);
    // One write, one version each, in the order they queued; one commit.
    expect(answers.map((a) => a.json().scheduleVersion)).toEqual([1, 2, 3].map((k) => answers[0]!.json().scheduleVersion + k - 1));
    expect(await orderCustomers(plant)).toEqual(['a', 'b', 'c']);
  });

  it('a write that joined late and fails the batch fails alone: the batch runs again one write per transaction', async () => {
    const plant = await newPlant();
    const { sizes, answers } = await joinedWhileLocked(plant, () => order(plant, 'a', 1), [
      () => order(plant, 'poison', 2),
      () => order(plant, 'c', 3),
    ]);
    expect(answers.map((a) => a.statusCode)).toEqual([201, 500, 201]);
    expect(sizes).toEqual([3, 1, 1, 1]);
    expect(await orderCustomers(plant)).toEqual(['a', 'c']);
  });
});
