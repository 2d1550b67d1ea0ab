import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROBLEM_BASE } from '../../src/schemas/problem.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { seedPlant } from '../helpers/builders.ts';
import { realPostgresAvailable } from '../helpers/db.ts';

type Headers = { authorization: string };
const POLICY = { productionBufferDays: 4, shippingBufferDays: 2, standardLeadTimeDays: 2 };
// P1 needs 30 + 10/unit drum minutes: 97 units are 1,000 minutes, about a day of the two-shift drum.
const DAY_OF_DRUM = 97;

// The plant's hold policy refuses (never clamps) a TTL above its maximum and a hold that would
// take one principal past its cap on drum minutes held at once: one salesperson cannot corner the drum.
describe.each(realPostgresAvailable() ? (['postgres', 'pglite'] as const) : (['pglite'] as const))('fair holds on %s', (kind) => {
  let t: TestApp;
  let plants = 0;

  beforeAll(async () => {
    t = await buildTestApp({ kind, now: '2026-11-23T08:00:00Z' });
  });
  afterAll(async () => t.close());

  const newPlant = async (policy: Record<string, number> = POLICY) => {
    const id = `fair-${++plants}`;
    await seedPlant(t, id, policy);
    return `/v1/plants/${id}`;
  };
  const salesKey = async (principal: string): Promise<Headers> => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: t.as('admin'),
      payload: { name: principal, role: 'sales', principal },
    });
    return { authorization: `Bearer ${res.json().key}` };
  };
  const hold = (base: string, headers: Headers, body: object) =>
    t.app.inject({ method: 'POST', url: `${base}/holds`, headers, payload: { sku: 'P1', ...body } });
  const version = async (base: string) =>
    (await t.app.inject({ method: 'GET', url: `${base}/schedule?limit=1`, headers: t.as('planner') })).json().scheduleVersion as number;
  const earliest = async (base: string, quantity: number) =>
    (await t.app.inject({ method: 'POST', url: `${base}/quotes`, headers: t.as('planner'), payload: { sku: 'P1', quantity } })).json()
      .earliestPromiseDate as string;

  it('refuses a TTL over the maximum with a hold-policy problem naming the limit, writing nothing', async () => {
    const base = await newPlant();
    const anna = await salesKey('anna.ttl');
    const v = await version(base);
    // The incident: 30 days asked against the default 15-minute policy (maximum one day).
    const month = await hold(base, anna, { quantity: 5, ttlSeconds: 30 * 86_400 });
    expect(month.statusCode).toBe(422);
    expect(month.json()).toMatchObject({
      type: `${PROBLEM_BASE}hold-policy`,
      limit: 'maxHoldTtlSeconds',
      limitValue: 86_400,
      requestedValue: 2_592_000,
      errors: [{ field: 'body.ttlSeconds' }],
    });
    expect(await version(base)).toBe(v);
    const listed = await t.app.inject({ method: 'GET', url: `${base}/orders`, headers: t.as('planner') });
    expect(listed.json().items).toEqual([]);

    const put = await t.app.inject({
      method: 'PUT',
      url: `${base}/buffer-policy`,
      headers: t.as('admin'),
      payload: { ...POLICY, holdTtlSeconds: 900, maxHoldTtlSeconds: 900 },
    });
    expect(put.json()).toMatchObject({ holdTtlSeconds: 900, maxHoldTtlSeconds: 900, holdCapDrumMinutes: null });
    expect((await hold(base, anna, { quantity: 5, ttlSeconds: 901 })).json()).toMatchObject({ limitValue: 900, requestedValue: 901 });
    const ok = await hold(base, anna, { quantity: 5, ttlSeconds: 900 });
    expect(ok.statusCode).toBe(201);
    expect(ok.json().expiresAt).toBe('2026-11-23T08:15:00.000Z');

    const contradiction = await t.app.inject({
      method: 'PUT',
      url: `${base}/buffer-policy`,
      headers: t.as('admin'),
      payload: { ...POLICY, holdTtlSeconds: 900, maxHoldTtlSeconds: 600 },
    });
    expect(contradiction.statusCode).toBe(400);
    expect(contradiction.json().errors[0].field).toBe('body.maxHoldTtlSeconds');
  });

  it('caps the drum minutes one principal holds at once: the cap names itself, colleagues still hold, a real order is not pushed out', async () => {
    const capped = await newPlant({ ...POLICY, holdCapDrumMinutes: 2000 });
    const open = await newPlant(POLICY);
    const anna = await salesKey('anna.corner');
    const bob = await salesKey('bob.fair');

    // Anna tries to hold ten days of drum in both plants.
    const outcomes: number[] = [];
    for (let i = 0; i < 10; i++) {
      outcomes.push((await hold(capped, anna, { quantity: DAY_OF_DRUM })).statusCode);
      expect((await hold(open, anna, { quantity: DAY_OF_DRUM })).statusCode).toBe(201);
    }
    expect(outcomes).toEqual([201, 201, 422, 422, 422, 422, 422, 422, 422, 422]);
    const refused = await hold(capped, anna, { quantity: 7 });
    expect(refused.json()).toMatchObject({
      type: `${PROBLEM_BASE}hold-policy`,
      limit: 'holdCapDrumMinutes',
      limitValue: 2000,
      requestedValue: 2100,
      heldDrumMinutes: 2000,
      drumLoadMinutes: 100,
    });
    expect(refused.json().detail).toContain('anna.corner');

    // A second key of the same person counts against the same cap.
    expect((await hold(capped, await salesKey('anna.corner'), { quantity: 1 })).statusCode).toBe(422);
    // A colleague is not blocked by Anna's holds.
    expect((await hold(capped, bob, { quantity: DAY_OF_DRUM })).statusCode).toBe(201);
    expect((await hold(open, bob, { quantity: DAY_OF_DRUM })).statusCode).toBe(201);

    // A real order gets a date days earlier where the cap held Anna to two days of drum.
    const cappedDate = await earliest(capped, DAY_OF_DRUM);
    const openDate = await earliest(open, DAY_OF_DRUM);
    expect(cappedDate < openDate).toBe(true);
    const real = await t.app.inject({
      method: 'POST',
      url: `${capped}/orders`,
      headers: t.as('planner'),
      payload: { sku: 'P1', quantity: DAY_OF_DRUM, promiseDate: cappedDate, customer: 'Real customer' },
    });
    expect(real.statusCode).toBe(201);

    // Confirmed and released holds no longer count: Anna may hold again.
    const mine = (await t.app.inject({ method: 'GET', url: `${capped}/orders?status=held`, headers: anna })).json().items as {
      id: string;
    }[];
    expect(mine).toHaveLength(2);
    expect((await t.app.inject({ method: 'DELETE', url: `${capped}/holds/${mine[0]!.id}`, headers: anna })).statusCode).toBe(204);
    expect(
      (await t.app.inject({ method: 'POST', url: `${capped}/holds/${mine[1]!.id}/confirm`, headers: anna, payload: {} })).statusCode,
    ).toBe(201);
    expect((await hold(capped, anna, { quantity: DAY_OF_DRUM })).statusCode).toBe(201);
    expect((await hold(capped, anna, { quantity: DAY_OF_DRUM })).statusCode).toBe(201);
    expect((await hold(capped, anna, { quantity: 1 })).statusCode).toBe(422);
  });

  it('counts the cap under the plant lock: of concurrent holds by one person only what fits is accepted', async () => {
    const base = await newPlant({ ...POLICY, holdCapDrumMinutes: 2000 });
    const anna = await salesKey('anna.race');
    const annaToo = await salesKey('anna.race');
    const codes = await Promise.all(
      Array.from({ length: 6 }, (_, i) => hold(base, i % 2 === 0 ? anna : annaToo, { quantity: DAY_OF_DRUM }).then((r) => r.statusCode)),
    );
    expect(codes.filter((c) => c === 201)).toHaveLength(2);
    expect(codes.filter((c) => c === 422)).toHaveLength(4);
  });

  it('lets a planner extend a hold explicitly, recorded with a reason; the hold lives until the new expiry', async () => {
    t.clock.set('2026-11-23T08:00:00Z');
    const base = await newPlant();
    const anna = await salesKey('anna.extend');
    const h = await hold(base, anna, { quantity: 3 });
    const id = h.json().id as string;
    expect(h.json().expiresAt).toBe('2026-11-23T08:15:00.000Z');
    const extend = (headers: Headers, payload: object) =>
      t.app.inject({ method: 'POST', url: `${base}/holds/${id}/extend`, headers, payload });

    expect((await extend(anna, { expiresAt: '2026-11-25T16:00:00Z', reason: 'mine' })).statusCode).toBe(403);
    expect((await extend(t.as('planner'), { expiresAt: '2026-11-23T07:00:00Z', reason: 'past' })).statusCode).toBe(400);
    expect((await extend(t.as('planner'), { expiresAt: '2026-11-23T08:10:00Z', reason: 'shorter' })).statusCode).toBe(400);
    expect((await extend(t.as('planner'), { expiresAt: '2026-12-24T08:00:00Z', reason: 'a month' })).statusCode).toBe(400);
    const ok = await extend(t.as('planner'), { expiresAt: '2026-11-25T16:00:00Z', reason: 'Customer signs on Wednesday' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ id, status: 'held', expiresAt: '2026-11-25T16:00:00.000Z', owner: 'anna.extend' });

    const events = (await t.app.inject({ method: 'GET', url: `${base}/events`, headers: t.as('planner') })).json().items as {
      type: string;
      data: unknown;
    }[];
    expect(events.filter((e) => e.type === 'hold.extended').map((e) => e.data)).toEqual([
      {
        from: '2026-11-23T08:15:00.000Z',
        to: '2026-11-25T16:00:00.000Z',
        reason: 'Customer signs on Wednesday',
        owner: 'anna.extend',
        drumLoadMinutes: 60,
      },
    ]);

    // Past the policy TTL a write expires due holds; the extended one lives on.
    t.clock.set('2026-11-24T08:00:00Z');
    expect((await hold(base, t.as('sales'), { quantity: 1 })).statusCode).toBe(201);
    expect((await t.app.inject({ method: 'GET', url: `${base}/orders/${id}`, headers: anna })).json().status).toBe('held');
    t.clock.set('2026-11-25T16:01:00Z');
    expect((await hold(base, t.as('sales'), { quantity: 1 })).statusCode).toBe(201);
    expect((await t.app.inject({ method: 'GET', url: `${base}/orders/${id}`, headers: anna })).json().status).toBe('expired');
    expect((await extend(t.as('planner'), { expiresAt: '2026-11-27T16:00:00Z', reason: 'too late' })).statusCode).toBe(409);
    t.clock.set('2026-11-23T08:00:00Z');
  });
});
