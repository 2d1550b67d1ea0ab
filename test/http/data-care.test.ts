import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { foldQuotesBefore } from '../../src/domain/retention/quote-retention.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { seedPlant } from '../helpers/builders.ts';
import { client, databaseKinds } from '../helpers/planning.ts';

describe.each(databaseKinds())('data care on %s', (kind) => {
  let t: TestApp;
  const c = client(() => t);
  const ok = async (p: Promise<{ statusCode: number; body: string; json: () => any }>) => {
    const r = await p;
    if (r.statusCode >= 300) throw new Error(`${r.statusCode} ${r.body}`);
    return r.json();
  };
  const mentions = async (name: string) => {
    const like = `%${name}%`;
    const count = async (q: ReturnType<typeof sql<{ n: number }>>) => (await q.execute(t.db.db)).rows[0]!.n;
    return {
      orders: await count(sql`SELECT count(*)::int AS n FROM orders WHERE customer = ${name}`),
      events: await count(sql`SELECT count(*)::int AS n FROM schedule_events WHERE data::text LIKE ${like}`),
      quotes: await count(sql`SELECT count(*)::int AS n FROM quote_log WHERE customer = ${name}`),
      daily: await count(sql`SELECT count(*)::int AS n FROM quote_daily WHERE customer = ${name}`),
      replays: await count(sql`SELECT count(*)::int AS n FROM idempotency_keys WHERE response::text LIKE ${like}`),
    };
  };
  let acmeOrder: string;
  const replay = () =>
    c.call(
      'POST',
      'orders',
      'sales',
      { sku: 'P1', quantity: 1, customer: 'ACME', promiseDate: '2026-12-21' },
      { 'idempotency-key': 'acme-1' },
    );

  beforeAll(async () => {
    t = await buildTestApp({ now: '2026-11-30T08:00:00Z', kind });
    await seedPlant(t);
    await ok(c.call('POST', 'orders', 'sales', { sku: 'P1', quantity: 1, customer: 'Bolt', promiseDate: '2026-12-21' }));
    const push = { sku: 'P1', quantity: 1, customer: 'ACME', promiseDate: '2026-12-22' };
    await ok(c.call('PUT', 'orders/by-external-id/SO-7', 'erp', push));
    t.clock.set('2026-12-01T08:00:00Z');
    await ok(c.call('PUT', 'orders/by-external-id/SO-7', 'erp', { ...push, promiseDate: '2026-12-23' })); // order.updated: before/after.customer
    await ok(c.call('POST', 'quotes', 'sales', { sku: 'P1', quantity: 1, customer: 'ACME' }));
    t.clock.set('2026-12-02T08:00:00Z');
    await ok(c.call('POST', 'quotes', 'sales', { sku: 'P1', quantity: 2, customer: 'ACME' }));
    acmeOrder = (await ok(replay())).id; // within the 24 h its idempotent answer is kept
    await ok(c.call('GET', 'kpis?from=2026-11-30&to=2026-12-02', 'planner')); // flushes the quote records
    await foldQuotesBefore(t.db.db, 'plant-1', new Date('2026-12-02T00:00:00Z')); // one in quote_daily, one still a row
  });
  afterAll(async () => t.close());

  it('exports the events before an instant as NDJSON, resumable by sequence, the same events the feed serves', async () => {
    const feed = (await ok(c.call('GET', 'events?limit=1000', 'planner'))).items as { seq: number; at: string }[];
    const all = await c.call('GET', 'events/export?before=2027-01-01T00:00:00Z', 'admin');
    expect(all.statusCode).toBe(200);
    expect(all.headers['content-type']).toMatch(/^application\/x-ndjson/);
    const lines = all.body
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toEqual(feed);

    const cut = '2026-12-01T00:00:00Z';
    const early = (await c.call('GET', `events/export?before=${cut}`, 'admin')).body
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(early).toEqual(feed.filter((e) => e.at < cut));
    expect(early.length).toBeGreaterThan(0);
    const resumed = await c.call('GET', `events/export?before=2027-01-01T00:00:00Z&after=${early.at(-1).seq}`, 'admin');
    expect(
      resumed.body
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual(feed.slice(early.length));

    expect((await c.call('GET', 'events/export?before=2027-01-01T00:00:00Z', 'planner')).statusCode).toBe(403);
    expect((await c.call('GET', '/v1/plants/nowhere/events/export?before=2027-01-01T00:00:00Z', 'admin')).statusCode).toBe(404);
    expect((await c.call('GET', 'events/export?before=yesterday', 'admin')).statusCode).toBe(400);
  });

  it("erases a customer's name from orders, events, quote records and replays in one write, recorded without the name", async () => {
    expect(await mentions('ACME')).toEqual({ orders: 2, events: 4, quotes: 1, daily: 1, replays: 1 });
    const feedBefore = (await ok(c.call('GET', 'events?limit=1000', 'planner'))).items as unknown[];
    expect((await c.call('POST', 'customer-erasures', 'planner', { customer: 'ACME' })).statusCode).toBe(403);

    const erased = await ok(c.call('POST', 'customer-erasures', 'admin', { customer: 'ACME' }));
    expect(erased).toMatchObject({ plant: 'plant-1', orders: 2, events: 4, quotes: 1 });
    expect(erased.pseudonym).toMatch(/^customer-[0-9a-f]{12}$/);
    expect(await mentions('ACME')).toEqual({ orders: 0, events: 0, quotes: 0, daily: 0, replays: 0 });
    // The pseudonym is in the 4 events and in the erasure's own.
    expect(await mentions(erased.pseudonym)).toEqual({ orders: 2, events: 5, quotes: 1, daily: 1, replays: 1 });
    expect((await mentions('Bolt')).orders).toBe(1);

    // One more event, recording the erasure without the name; the feed keeps its sequence.
    const feed = (await ok(c.call('GET', 'events?limit=1000', 'planner'))).items as { seq: number; type: string; data: unknown }[];
    expect(feed).toHaveLength(feedBefore.length + 1);
    expect(feed.map((e) => e.seq)).toEqual(feed.map((_, i) => i + 1));
    expect(feed.at(-1)).toMatchObject({
      type: 'customer.erased',
      data: { pseudonym: erased.pseudonym, orders: 2, events: 4, quotes: 1 },
    });
    expect(JSON.stringify(feed)).not.toContain('ACME');

    // Reads (the engine's cached rows too) and an idempotent replay answer with the pseudonym.
    expect((await ok(c.call('GET', `orders/${acmeOrder}`, 'planner'))).customer).toBe(erased.pseudonym);
    expect((await ok(replay())).customer).toBe(erased.pseudonym);
    const byCustomer = await ok(c.call('GET', 'kpis?from=2026-11-30&to=2026-12-02&groupBy=customer', 'planner'));
    expect(byCustomer.breakdown.map((b: { key: string | null }) => b.key)).toContain(erased.pseudonym);

    // Nothing names ACME any more: 404, nothing written.
    const again = await c.call('POST', 'customer-erasures', 'admin', { customer: 'ACME' });
    expect(again.statusCode).toBe(404);
    expect((await ok(c.call('GET', 'events?limit=1000', 'planner'))).items).toHaveLength(feed.length);
  });

  it('the event log refuses any other rewrite, even in raw SQL', async () => {
    const rewrite = sql`UPDATE schedule_events SET data = jsonb_set(data, '{customer}', '"Mallory"') WHERE data ? 'customer'`;
    await expect(rewrite.execute(t.db.db)).rejects.toThrow(/append-only/);
    const retype = sql`UPDATE schedule_events SET type = 'order.cancelled' WHERE seq = 1`;
    await expect(retype.execute(t.db.db)).rejects.toThrow(/append-only/);
    await expect(sql`DELETE FROM schedule_events WHERE seq = 1`.execute(t.db.db)).rejects.toThrow(/append-only/);
    // A name may only become a pseudonym: never removed, nulled, or added where there was none
    // (an added key also broke the feed's strict event schemas: a 500). Found by a review.
    const remove = sql`UPDATE schedule_events SET data = data - 'customer' WHERE data ? 'customer'`;
    await expect(remove.execute(t.db.db)).rejects.toThrow(/append-only/);
    const nullify = sql`UPDATE schedule_events SET data = jsonb_set(data, '{customer}', 'null') WHERE data ? 'customer'`;
    await expect(nullify.execute(t.db.db)).rejects.toThrow(/append-only/);
    const inject = sql`UPDATE schedule_events SET data = data || '{"customer":"customer-000000000000"}' WHERE NOT data ? 'customer'`;
    await expect(inject.execute(t.db.db)).rejects.toThrow(/append-only/);
    expect((await t.app.inject({ method: 'GET', url: '/v1/plants/plant-1/events?limit=1000', headers: t.as('planner') })).statusCode).toBe(
      200,
    );
  });
});
