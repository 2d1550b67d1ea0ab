import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { seedPlant } from '../helpers/builders.ts';
import { client, databaseKinds } from '../helpers/planning.ts';

// The README's planner example ("Capacity requests"), step by step on the same plant: a refused
// date, the salesperson's request, the planner's acceptance, the hold. README_EXAMPLE=1 prints
// each answer (the README quotes them).
describe.each(databaseKinds())('README capacity request example on %s', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ now: '2026-11-23T08:00:00Z', kind });
    await seedPlant(t, 'plant-1', { productionBufferDays: 2, shippingBufferDays: 1, standardLeadTimeDays: 2 });
  });
  afterAll(async () => t?.close());

  const show = (step: string, body: unknown) => {
    if (process.env.README_EXAMPLE) console.log(`--- ${step}\n${JSON.stringify(body, null, 1)}`);
  };

  it('from a refused date to an accepted proposal and a hold of that date', async () => {
    const c = client(() => t);
    await c.call('PUT', 'capacity-policy', 'planner', { currency: 'EUR', defaults: { overtime: { costPerHour: 60 } } });
    for (let i = 0; i < 3; i++) await c.order({ quantity: 90, promiseDate: '2026-11-27' });

    const quote = (await c.call('POST', 'quotes', 'sales', { sku: 'P1', quantity: 100, requestedDate: '2026-11-27' })).json();
    show('quote', quote);
    expect(quote).toMatchObject({ requestedDateFeasible: false, earliestPromiseDate: '2026-12-01' });

    const filed = await c.call('POST', 'capacity-requests', 'sales', {
      quoteId: quote.quoteId,
      sku: 'P1',
      quantity: 100,
      requestedDate: '2026-11-27',
      note: 'ACME: their line stops without it',
    });
    show('filed', filed.json());
    expect(filed.statusCode).toBe(201);

    const inbox = (await c.call('GET', 'capacity-requests?status=open', 'planner')).json();
    show('inbox', inbox);
    expect(inbox.items[0].proposals[0].totalCost).toBeGreaterThan(0);

    const accepted = await c.call('POST', `capacity-requests/${filed.json().id}/accept`, 'planner', { proposalIndex: 0 });
    show('accepted', accepted.json());
    expect(accepted.json()).toMatchObject({ requestedDateKeepable: true, request: { status: 'accepted' } });

    const feed = (await t.app.inject({ method: 'GET', url: '/v1/me/events?plant=plant-1', headers: t.as('sales') })).json();
    show('feed', feed);
    expect(feed.items.map((e: { type: string }) => e.type)).toEqual(
      expect.arrayContaining(['capacity-request.filed', 'capacity-request.accepted']),
    );

    const hold = await c.call('POST', 'holds', 'sales', { sku: 'P1', quantity: 100, promiseDate: '2026-11-27', quoteId: quote.quoteId });
    show('hold', hold.json());
    expect(hold.json()).toMatchObject({ status: 'held', promiseDate: '2026-11-27' });
  });
});
