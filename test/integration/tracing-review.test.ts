import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTracing, type Tracing } from '../../src/tracing.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { seedPlant } from '../helpers/builders.ts';
import { realPostgresAvailable } from '../helpers/db.ts';

// Review of the two-round-trip write path (branch tput). With tracing on, every pg statement
// of a write batch is a span whose `db.query.text` is exported to the OTLP collector. Before
// the branch the batch's rows and events travelled as bind parameters (`$1::jsonb`), which
// instrumentation-pg does not export; now their values are written into the SQL text
// (db/literals.ts), so a customer's name (and notes, external ids, actor labels) leaves the
// service in every traced batch, to a store the erasure procedure (docs/operations.md) never
// reaches. Now (tracing.ts) a statement without bind values leaves with its literals as `?`:
// no value of a request's body appears in an exported span.
describe.runIf(realPostgresAvailable())('traced statements of a write batch on postgres (review)', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing;
  let t: TestApp;
  let url: string;
  beforeAll(async () => {
    tracing = await startTracing({ serviceName: 'drumbeat', spanProcessor: new SimpleSpanProcessor(exporter) });
    t = await buildTestApp({ kind: 'postgres' });
    await seedPlant(t);
    url = await t.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await t.close();
    await tracing.shutdown();
  });

  it("a customer's name in a new hold is not exported in any span (statement text included)", async () => {
    exporter.reset();
    const customer = 'Jane Secret-Customer';
    const res = await fetch(`${url}/v1/plants/plant-1/holds`, {
      method: 'POST',
      headers: { ...t.as('sales'), 'content-type': 'application/json' },
      body: JSON.stringify({ sku: 'P1', quantity: 20, promiseDate: '2026-11-27', customer }),
    });
    expect(res.status, await res.text()).toBe(201);
    const scope = (s: ReadableSpan) => s.instrumentationScope.name;
    const statements = exporter
      .getFinishedSpans()
      .filter((s) => scope(s) === '@opentelemetry/instrumentation-pg' && s.kind === SpanKind.CLIENT);
    expect(statements.length).toBeGreaterThan(0);
    for (const s of exporter.getFinishedSpans()) expect(JSON.stringify(s.attributes)).not.toContain(customer);
    // The statement that carries the customer's name was traced (the check above is not
    // vacuous) and is still readable: the batch's call of drumbeat_insert_orders (migration
    // 0029; the new order's row, customer included, is in its orders[] argument) leaves with `?`
    // for its values. A statement with bind parameters keeps its text.
    const texts = statements.map((s) => String(s.attributes['db.query.text']));
    expect(
      texts.some((q) => /SELECT drumbeat_insert_orders\(\?, +\?::drumbeat_order_row_v1\[\], +\?::drumbeat_operation_row_v1\[\]\)/.test(q)),
    ).toBe(true);
    expect(texts.some((q) => q.includes('$1'))).toBe(true);
  });
});
