import type { TestApp } from '../helpers/app.ts';
import { seedPlant, twoShiftWeek } from '../helpers/builders.ts';
import { Pools } from './harness.ts';

/**
 * A plant the engine has work in: drum "cnc", non-drum "saw", products P1 and P2, nine
 * confirmed orders spread over the next weeks, a hold, an ERP order and an overtime
 * change; plus a bare plant "plant-2" without resources. Returns the pools the
 * generator draws names from.
 */
export async function seedFuzzPlant(t: TestApp): Promise<Pools> {
  await seedPlant(t, 'plant-1');
  const send = async (role: 'admin' | 'planner' | 'sales' | 'erp', method: 'POST' | 'PUT', url: string, payload: unknown) => {
    const res = await t.app.inject({ method, url, headers: t.as(role), payload: payload as object });
    if (res.statusCode >= 300) throw new Error(`seed ${method} ${url}: ${res.statusCode} ${res.body}`);
    return res.json() as Record<string, unknown>;
  };
  const P = '/v1/plants/plant-1';
  await send('admin', 'PUT', `${P}/products/P2`, {
    name: 'Product two',
    routing: [
      { resource: 'saw', setupMinutes: 10, runMinutesPerUnit: 3 },
      { resource: 'cnc', setupMinutes: 45, runMinutesPerUnit: 25 },
      { resource: 'saw', setupMinutes: 5, runMinutesPerUnit: 1 },
    ],
  });
  await send('admin', 'PUT', `${P}/resources/paint`, { name: 'Paint', drum: false, calendar: { weekly: twoShiftWeek, exceptions: [] } });
  await send('admin', 'POST', '/v1/plants', { id: 'plant-2', name: 'Bare plant', timeZone: 'America/New_York' });

  const orders: string[] = [];
  for (let i = 0; i < 9; i++) {
    const sku = i % 3 === 0 ? 'P2' : 'P1';
    const quote = await send('planner', 'POST', `${P}/quotes`, { sku, quantity: 5 + i * 3 });
    const promise = new Date(`${quote.earliestPromiseDate as string}T00:00:00Z`);
    promise.setUTCDate(promise.getUTCDate() + i * 2);
    const order = await send('planner', 'POST', `${P}/orders`, {
      sku,
      quantity: 5 + i * 3,
      promiseDate: promise.toISOString().slice(0, 10),
      customer: `Customer ${i % 4}`,
    });
    orders.push(order.id as string);
  }
  const hold = await send('sales', 'POST', `${P}/holds`, { sku: 'P1', quantity: 4, customer: 'ACME' });
  const erp = await send('erp', 'PUT', `${P}/orders/by-external-id/SO-1`, {
    sku: 'P1',
    quantity: 3,
    promiseDate: '2027-02-01',
    customer: 'ERP customer',
  });
  const change = await send('planner', 'POST', `${P}/capacity-changes`, {
    resource: 'cnc',
    kind: 'overtime',
    date: '2026-12-05',
    start: '08:00',
    end: '12:00',
    reason: 'seed overtime',
  });
  return new Pools({
    plant: ['plant-1', 'plant-1', 'plant-1', 'plant-1', 'plant-2'],
    resource: ['cnc', 'saw', 'paint'],
    sku: ['P1', 'P2', 'P1'],
    orders: [...orders, erp.id as string],
    holds: [hold.id as string],
    'capacity-changes': [(change.change as { id: string }).id],
    'api-keys': [],
    externalId: ['SO-1'],
  });
}
