import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoKeys, seedDemoPlant } from '../../src/domain/demo.ts';
import { systemClock } from '../../src/domain/clock.ts';
import { buildApp, type App } from '../../src/http/app.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';

const run = promisify(execFile);

// The README's "Promising an order" walk-through, run as written against the demo plant.
describe('README walk-through', () => {
  let db: TestDb;
  let app: App;
  let url: string;
  let salesKey: string;

  beforeAll(async () => {
    db = await openTestDb();
    await seedDemoPlant(db.db);
    salesKey = (await createDemoKeys(db.db)).sales;
    app = await buildApp({ db: db.db, clock: systemClock, maxOrderQuantity: 1_000_000 });
    url = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  it('quotes, holds, confirms, and gets a 409 with the price of an impossible date; and runs again on the same plant', async () => {
    const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
    const block = /<!-- walkthrough:start -->\s*```bash\n([\s\S]*?)```\s*<!-- walkthrough:end -->/.exec(readme)?.[1];
    expect(block).toBeDefined();
    const script = block!.replace(/^export DRUMBEAT=.*$/m, `export DRUMBEAT=${url} SALES_KEY=${salesKey}`);
    const externalIds: string[] = [];
    for (let round = 0; round < 2; round++) {
      const { stdout } = await run('bash', ['-euo', 'pipefail', '-c', script]);
      const docs = stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, any>);
      expect(docs).toHaveLength(4);
      const [quote, hold, order, refusal] = docs as [any, any, any, any];
      expect(quote.earliestPromiseDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(hold).toMatchObject({ status: 'held', promiseDate: quote.earliestPromiseDate });
      expect(order).toMatchObject({ id: hold.id, status: 'confirmed', externalId: expect.stringMatching(/^SO-1001-[0-9a-f]{8}$/) });
      expect(refusal).toMatchObject({ status: 409, type: 'https://drumbeat.dev/problems/schedule-infeasible' });
      expect(refusal.capacityNeeded.minutes).toBeGreaterThan(0);
      expect(refusal.capacityNeeded.suggestion.text).toEqual(expect.any(String));
      externalIds.push(order.externalId);
    }
    expect(new Set(externalIds).size).toBe(2);
  });
});
