import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { seedPlant } from '../helpers/builders.ts';
import { realPostgresAvailable } from '../helpers/db.ts';
import { startServiceProcess, type ServiceProcess } from '../helpers/service-process.ts';

// A real service process is killed (SIGKILL) while a hold with an Idempotency-Key is in flight,
// at a different moment each round; the client retries the same key against a new process.
// The retry must get a definite answer (the stored one, or the write run once now), never
// "in progress", and the hold must exist exactly once.
describe.skipIf(!realPostgresAvailable())('idempotency survives a crash mid-request', () => {
  let t: TestApp;
  let service: ServiceProcess | undefined;

  beforeAll(async () => {
    t = await buildTestApp({ kind: 'postgres', now: new Date().toISOString() });
    await seedPlant(t);
  }, 60_000);
  afterAll(async () => {
    await service?.stop();
    await t?.close();
  });

  const hold = (url: string, key: string, customer: string) =>
    fetch(`${url}/v1/plants/plant-1/holds`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t.keys.sales}`, 'content-type': 'application/json', 'idempotency-key': key },
      body: JSON.stringify({ sku: 'P1', quantity: 1, customer }),
    });

  it('answers the retry definitely and writes the hold once, whatever moment the process died', async () => {
    service = await startServiceProcess({ DATABASE_URL: t.db.url! });
    const outcomes: string[] = [];
    for (let round = 0; round < 6; round++) {
      const key = `crash-${round}`;
      const customer = `Crash ${round}`;
      const inFlight = hold(service.url, key, customer).then(
        (r) => `answered ${r.status}`,
        () => 'connection lost',
      );
      await new Promise((r) => setTimeout(r, round * 4));
      const died = new Promise((r) => service!.child.once('exit', r));
      service.child.kill('SIGKILL');
      await died;
      outcomes.push(await inFlight);

      service = await startServiceProcess({ DATABASE_URL: t.db.url! });
      const retry = await hold(service.url, key, customer);
      expect(retry.status, `round ${round}: ${await retry.clone().text()}`).toBe(201);
      const again = await hold(service.url, key, customer);
      expect(again.status).toBe(201);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect((await again.json()).id).toBe((await retry.json()).id);

      const rows = await t.db.db
        .selectFrom('orders')
        .select('id')
        .where('plant_id', '=', 'plant-1')
        .where('customer', '=', customer)
        .execute();
      expect(rows.length, `round ${round}`).toBe(1);
    }
    // Some rounds must have died before answering, or the test did not test a crash.
    expect(outcomes).toContain('connection lost');
  }, 240_000);
});
