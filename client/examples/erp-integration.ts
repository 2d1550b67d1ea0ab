import { drumbeatClient, isScheduleInfeasible, type Event, type Order } from '../index.ts';

/**
 * What an ERP integration does with Drumbeat, end to end, through the typed client:
 * 1. push a sales order by its external id (the ERP's key; a retry never duplicates it);
 * 2. when the schedule cannot keep the date the ERP asked for (409), read the earliest date
 *    it can keep from the typed problem and push again with it;
 * 3. read the order back by the same external id;
 * 4. consume the plant's event feed from the last sequence number processed.
 * Run it against a service: `npx tsx client/examples/erp-integration.ts <baseUrl> <erp key> <plant> <sku>`.
 */
export async function erpIntegration(opts: {
  baseUrl: string;
  apiKey: string;
  plant: string;
  sku: string;
  externalId: string;
  askedDate: string;
  afterSeq?: number;
  fetch?: typeof fetch;
}) {
  const api = drumbeatClient(opts.baseUrl, opts.apiKey, opts.fetch);
  const path = { plant: opts.plant, externalId: opts.externalId };
  const order = { sku: opts.sku, quantity: 5, customer: 'ACME GmbH' };

  // 1–2. Push; on a refused date, take the earliest date the schedule can keep.
  let pushed = await api.PUT('/v1/plants/{plant}/orders/by-external-id/{externalId}', {
    params: { path },
    body: { ...order, promiseDate: opts.askedDate },
  });
  let repromisedFrom: string | null = null;
  if (pushed.error) {
    if (!isScheduleInfeasible(pushed.error) || !pushed.error.earliestPromiseDate) throw new Error(`push refused: ${pushed.error.detail}`);
    repromisedFrom = opts.askedDate;
    pushed = await api.PUT('/v1/plants/{plant}/orders/by-external-id/{externalId}', {
      params: { path },
      body: { ...order, promiseDate: pushed.error.earliestPromiseDate },
    });
    if (pushed.error) throw new Error(`push at the earliest date refused: ${pushed.error.detail}`);
  }

  // 3. Read it back by the ERP's key.
  const read = await api.GET('/v1/plants/{plant}/orders/by-external-id/{externalId}', { params: { path } });
  if (read.error) throw new Error(`read by external id failed: ${read.error.detail}`);
  const stored: Order = read.data;

  // 4. Consume the feed: everything after the last sequence number this ERP processed.
  const events: Event[] = [];
  let after = opts.afterSeq ?? 0;
  for (;;) {
    const page = await api.GET('/v1/plants/{plant}/events', { params: { path: { plant: opts.plant }, query: { after, limit: 100 } } });
    if (page.error) throw new Error(`event feed failed: ${page.error.detail}`);
    events.push(...page.data.items);
    if (page.data.items.length === 0) break;
    after = page.data.items.at(-1)!.seq;
  }
  return { order: stored, repromisedFrom, events, lastSeq: after };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [baseUrl, apiKey, plant, sku] = process.argv.slice(2);
  if (!baseUrl || !apiKey || !plant || !sku) {
    console.error('usage: npx tsx client/examples/erp-integration.ts <baseUrl> <erp key> <plant> <sku>');
    process.exit(2);
  }
  const today = new Date().toISOString().slice(0, 10);
  const result = await erpIntegration({ baseUrl, apiKey, plant, sku, externalId: `SO-${Date.now()}`, askedDate: today });
  console.log(
    JSON.stringify(
      { order: result.order, repromisedFrom: result.repromisedFrom, events: result.events.length, lastSeq: result.lastSeq },
      null,
      2,
    ),
  );
}
