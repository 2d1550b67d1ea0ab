import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Metrics } from '../../src/http/metrics/metrics.ts';
import { buildMetricsApp } from '../../src/http/metrics/metrics-server.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { seedPlant } from '../helpers/builders.ts';
import { databaseKinds } from '../helpers/planning.ts';

/** The value of one sample line (`name{labels} value`), or undefined when the series is absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

const QUOTE_ROUTE = 'route="/v1/plants/:plant/quotes",method="POST",status_class="2xx"';

describe.each(databaseKinds())('Prometheus metrics on %s', (kind) => {
  let t: TestApp;
  let metrics: Metrics;
  let scraper: Awaited<ReturnType<typeof buildMetricsApp>>;
  const scrape = async () => {
    const res = await scraper.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    return res.body;
  };

  beforeAll(async () => {
    metrics = new Metrics();
    t = await buildTestApp({ kind, build: { metrics } });
    scraper = await buildMetricsApp(metrics);
    await seedPlant(t);
  });
  afterAll(async () => {
    await scraper.close();
    await t.close();
  });

  it('counts a quote, a write batch, the open hold and the at-risk orders of the plant, per route template', async () => {
    const before = await scrape();
    const quotesBefore = sample(before, 'drumbeat_quote_engine_duration_seconds_count') ?? 0;
    const batchesBefore = sample(before, 'drumbeat_write_batch_size_count') ?? 0;
    const quoteRequestsBefore = sample(before, `drumbeat_http_request_duration_seconds_count{${QUOTE_ROUTE}}`) ?? 0;
    // The fixture's writes were batches too (resources, products, buffer policy), each of one write.
    expect(batchesBefore).toBeGreaterThanOrEqual(1);
    expect(sample(before, 'drumbeat_write_batch_size_sum')).toBe(batchesBefore);

    const quote = await t.app.inject({
      method: 'POST',
      url: '/v1/plants/plant-1/quotes',
      headers: t.as('sales'),
      payload: { sku: 'P1', quantity: 5 },
    });
    expect(quote.statusCode, quote.body).toBe(200);
    const hold = await t.app.inject({
      method: 'POST',
      url: '/v1/plants/plant-1/holds',
      headers: t.as('sales'),
      payload: { sku: 'P1', quantity: 20, promiseDate: '2026-11-27', customer: 'ACME' },
    });
    expect(hold.statusCode, hold.body).toBe(201);

    const text = await scrape();
    expect(sample(text, 'drumbeat_quote_engine_duration_seconds_count')).toBe(quotesBefore + 1);
    expect(sample(text, 'drumbeat_quote_engine_duration_seconds_sum')).toBeGreaterThan(0);
    expect(sample(text, 'drumbeat_write_batch_size_count')).toBe(batchesBefore + 1);
    expect(sample(text, 'drumbeat_write_batch_duration_seconds_count')).toBe(batchesBefore + 1);
    expect(sample(text, 'drumbeat_write_batch_duration_seconds_sum')).toBeGreaterThan(0);
    expect(sample(text, 'drumbeat_open_holds{plant="plant-1"}')).toBe(1);
    expect(sample(text, 'drumbeat_at_risk_orders{plant="plant-1"}')).toBe(0);
    // One series per route template, never the raw URL.
    expect(sample(text, `drumbeat_http_request_duration_seconds_count{${QUOTE_ROUTE}}`)).toBe(quoteRequestsBefore + 1);
    expect(sample(text, `drumbeat_http_request_duration_seconds_bucket{le="+Inf",${QUOTE_ROUTE}}`)).toBe(quoteRequestsBefore + 1);
    expect(
      sample(text, 'drumbeat_http_request_duration_seconds_count{route="/v1/plants/:plant/holds",method="POST",status_class="2xx"}'),
    ).toBe(1);
    expect(text).not.toContain('route="/v1/plants/plant-1');
    // Default process metrics.
    expect(sample(text, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(text).toContain('nodejs_eventloop_lag_seconds');

    // A confirmed order, then the drum down until Friday night: the order cannot keep its promise and is at risk.
    const order = await t.app.inject({
      method: 'POST',
      url: '/v1/plants/plant-1/orders',
      headers: t.as('sales'),
      payload: { sku: 'P1', quantity: 20, promiseDate: '2026-11-27', customer: 'Bolt AG' },
    });
    expect(order.statusCode, order.body).toBe(201);
    const breakdown = await t.app.inject({
      method: 'POST',
      url: '/v1/plants/plant-1/breakdowns',
      headers: t.as('planner'),
      payload: { resource: 'cnc', start: '2026-11-23T07:00:00Z', expectedEnd: '2026-11-27T21:00:00Z', reason: 'spindle' },
    });
    expect(breakdown.statusCode, breakdown.body).toBe(201);
    const late = (breakdown.json().lateOrders as { orderId: string }[]).map((l) => l.orderId);
    expect(late).toContain(order.json().id);
    const afterBreakdown = await scrape();
    // The order and the hold: the same count as the plant's at-risk list.
    const listed = await t.app.inject({ method: 'GET', url: '/v1/plants/plant-1/at-risk', headers: t.as('planner') });
    expect(listed.json().items).toHaveLength(2);
    expect(sample(afterBreakdown, 'drumbeat_at_risk_orders{plant="plant-1"}')).toBe(2);
    expect(sample(afterBreakdown, 'drumbeat_open_holds{plant="plant-1"}')).toBe(1);

    // Past its expiry a hold is no longer open, even before the sweep expires it in the database.
    t.clock.set(new Date('2026-12-31T08:00:00Z'));
    expect(sample(await scrape(), 'drumbeat_open_holds{plant="plant-1"}')).toBe(0);
  });

  it('counts a request no route matched as "unmatched", not by its URL', async () => {
    const series = 'drumbeat_http_request_duration_seconds_count{route="unmatched",method="GET",status_class="4xx"}';
    const before = sample(await scrape(), series) ?? 0;
    const res = await t.app.inject({ method: 'GET', url: '/v1/no/such/route/12345', headers: t.as('sales') });
    expect(res.statusCode).toBe(404);
    const text = await scrape();
    expect(sample(text, series)).toBe(before + 1);
    expect(text).not.toContain('12345');
  });

  it('is not served on the API port, with or without a key, and is not in the OpenAPI document', async () => {
    for (const headers of [{}, t.as('admin')]) {
      const res = await t.app.inject({ method: 'GET', url: '/metrics', headers });
      expect(res.statusCode).not.toBe(200);
      expect(res.body).not.toContain('drumbeat_');
    }
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json() as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths).some((p) => p.includes('metrics'))).toBe(false);
  });
});
