import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/domain/clock.ts';
import { createDemoKeys, DEMO_PLANT, seedDemoPlant } from '../../src/domain/demo.ts';
import { buildApp, type App } from '../../src/http/app.ts';
import { openTestDb, type TestDb } from '../helpers/db.ts';
import { databaseKinds } from '../helpers/planning.ts';

// The demo plant states a standard lead time of 5 working days with production buffers of 8
// (plant) and 12 (MANIFOLD-4). Quoting at the plant's 5 days released orders 3 and 7 working
// days into their buffers: they reached the board 37–71 % penetrated. The floor is the
// effective lead time, max(LT, PB), so an order promised at it is released on its release
// day with its whole buffer ahead: green, 0 %.
describe.each(databaseKinds())('demo orders on %s', (kind) => {
  let db: TestDb;
  let app: App;
  let keys: Awaited<ReturnType<typeof createDemoKeys>>;
  // Monday 09:00 in Berlin, after the saw's 07:00 shift start: release is due at once.
  const clock = fixedClock('2026-11-23T08:00:00Z');
  const call = (method: 'GET' | 'POST', url: string, role: 'sales' | 'planner', payload?: object) =>
    app.inject({
      method,
      url: `/v1/plants/${DEMO_PLANT}/${url}`,
      headers: { authorization: `Bearer ${keys[role]}` },
      ...(payload ? { payload } : {}),
    });

  beforeAll(async () => {
    db = await openTestDb({ kind });
    await seedDemoPlant(db.db, clock);
    keys = await createDemoKeys(db.db);
    app = await buildApp({ db: db.db, clock, maxOrderQuantity: 100_000 });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  it('quotes each product at max(plant lead time, its production buffer)', async () => {
    const products = (await call('GET', 'products', 'sales')).json().items as { sku: string; effectiveLeadTimeDays: number }[];
    expect(Object.fromEntries(products.map((p) => [p.sku, p.effectiveLeadTimeDays]))).toEqual({
      'MANIFOLD-4': 12,
      'VALVE-100': 8,
      'VALVE-50': 8,
    });
    // Monday + 8 working days = Thursday 12-03; + 12 = Wednesday 12-09.
    const quote = async (sku: string) => (await call('POST', 'quotes', 'sales', { sku, quantity: 5 })).json();
    expect(await quote('VALVE-50')).toMatchObject({ earliestPromiseDate: '2026-12-03', bindingLimit: 'lead-time-floor' });
    expect(await quote('MANIFOLD-4')).toMatchObject({ earliestPromiseDate: '2026-12-09', bindingLimit: 'lead-time-floor' });
  });

  it('confirmed at the earliest date and released on the rope, every order starts green at 0 %', async () => {
    const ids: string[] = [];
    for (const [sku, quantity] of [
      ['VALVE-50', 20],
      ['VALVE-100', 8],
      ['MANIFOLD-4', 4],
    ] as const) {
      const hold = await call('POST', 'holds', 'sales', { sku, quantity, customer: 'ACME GmbH' });
      expect(hold.statusCode).toBe(201);
      const confirmed = await call('POST', `holds/${hold.json().id}/confirm`, 'sales', {});
      expect(confirmed.statusCode).toBe(201);
      ids.push(hold.json().id);
    }
    const due = (await call('GET', 'release-list', 'planner')).json().items as { orderId: string; releaseDate: string }[];
    expect(due.map((i) => i.orderId).sort()).toEqual([...ids].sort());
    expect(due.every((i) => i.releaseDate === '2026-11-23')).toBe(true);
    for (const id of ids) expect((await call('POST', `orders/${id}/release`, 'planner', {})).statusCode).toBe(200);

    const board = (await call('GET', 'buffer-board', 'planner')).json() as {
      items: { orderId: string; penetration: number; zone: string }[];
    };
    expect(board.items.map((i) => i.orderId).sort()).toEqual([...ids].sort());
    for (const item of board.items) expect(item).toMatchObject({ penetration: 0, zone: 'green' });
  });
});
