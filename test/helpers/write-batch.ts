import { sql } from 'kysely';
import type { Db } from '../../src/db/database.ts';
import { buildTestApp, type TestApp } from './app.ts';
import { seedPlant } from './builders.ts';

/**
 * The app of the set-form batch tests (issue 11 item 4): its orders table refuses the customer
 * 'poison' by a trigger, so a failure reaches the service exactly as a real rejection by
 * PostgreSQL would, from inside a batch whose rows are written together.
 */
export async function buildPoisonedApp(kind: 'postgres' | 'pglite'): Promise<TestApp> {
  const t = await buildTestApp({ kind, now: '2026-11-23T08:00:00Z' });
  await poisonOrders(t.db.db);
  return t;
}

/** Makes the database's orders table refuse the customer 'poison' (a trigger), as PostgreSQL would reject a row. */
export async function poisonOrders(db: Db): Promise<void> {
  await sql`
    CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.customer = 'poison' THEN RAISE EXCEPTION 'injected failure for customer %', NEW.customer; END IF;
      RETURN NEW;
    END $$`.execute(db);
  await sql`CREATE TRIGGER refuse_poison BEFORE INSERT ON orders FOR EACH ROW EXECUTE FUNCTION refuse_poison()`.execute(db);
}

/**
 * Another transaction holds the plant's row lock (as another process's batch would) from when
 * this resolves until `release()`, which resolves once that transaction has ended.
 */
export async function holdPlantLock(db: Db, plant: string): Promise<{ release(): Promise<void> }> {
  let unlock!: () => void;
  const unlocked = new Promise<void>((r) => (unlock = r));
  let holding!: () => void;
  const held = new Promise<void>((r) => (holding = r));
  const blocker = db.transaction().execute(async (tx) => {
    await sql`SELECT 1 FROM plants WHERE id = ${plant} FOR UPDATE`.execute(tx);
    holding();
    await unlocked;
  });
  await held;
  return {
    release: async () => {
      unlock();
      await blocker;
    },
  };
}

/** A plant with two-day buffers, the one the batch tests write to. */
export async function seedBatchPlant(t: TestApp, id: string): Promise<string> {
  await seedPlant(t, id, { productionBufferDays: 2, shippingBufferDays: 2, standardLeadTimeDays: 2 });
  return id;
}

/**
 * Sends the requests so that they all commit in one batch, in the order given: each queues behind
 * the held batch before the next is sent (one answered without queueing, refused before the
 * writer, does not stall the rest), then the batch is released.
 */
export async function inOneBatch<R>(t: TestApp, plant: string, requests: (() => Promise<R>)[]): Promise<R[]> {
  const release = t.writer.hold(plant);
  const pending: Promise<R>[] = [];
  // While the plant is held nothing queued can answer: a request answered without queueing
  // was refused before the writer.
  for (const send of requests) {
    let done = false;
    const before = t.writer.queued(plant);
    pending.push(send().finally(() => (done = true)));
    while (!done && t.writer.queued(plant) <= before) await new Promise((r) => setTimeout(r, 2));
  }
  release();
  return Promise.all(pending);
}
