import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { startTracing, tracesExporter, type Tracing } from '../../src/tracing.ts';
import { buildTestApp, type TestApp } from '../helpers/app.ts';
import { seedPlant } from '../helpers/builders.ts';
import { databaseKinds } from '../helpers/planning.ts';

const run = promisify(execFile);

/** SDK, instrumentation and exporter modules in Node's module cache (none has an ESM build Node would pick). */
const SDK_MODULE = /[\\/]node_modules[\\/](@opentelemetry[\\/](sdk-|instrumentation|exporter-)|@fastify[\\/]otel)/;
const loadedSdkModules = () => Object.keys(createRequire(import.meta.url).cache).filter((f) => SDK_MODULE.test(f));

describe('which exporter the environment asks for', () => {
  it.each([
    [{}, null],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, 'otlp'],
    [{ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' }, 'otlp'],
    [{ OTEL_TRACES_EXPORTER: 'console' }, 'console'],
    [{ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, null],
    [{ OTEL_SDK_DISABLED: 'true', OTEL_TRACES_EXPORTER: 'otlp' }, null],
  ])('%o → %s', (env, expected) => {
    expect(tracesExporter(loadConfig(env))).toBe(expected);
  });

  it('names the service drumbeat unless OTEL_SERVICE_NAME says otherwise, and stops on a bad value', () => {
    expect(loadConfig({}).OTEL_SERVICE_NAME).toBe('drumbeat');
    expect(loadConfig({ OTEL_SERVICE_NAME: 'drumbeat-eu' }).OTEL_SERVICE_NAME).toBe('drumbeat-eu');
    expect(() => loadConfig({ OTEL_TRACES_EXPORTER: 'zipkin' })).toThrow(/OTEL_TRACES_EXPORTER/);
    expect(() => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector' })).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT/);
  });
});

// A server process started without tracing variables: the server's module graph is loaded
// and the start-up's tracing step runs, and no SDK module has been loaded.
it('loads no OpenTelemetry SDK module when tracing is not configured', async () => {
  const script = `
    import { createRequire } from 'node:module';
    import { loadConfig } from './src/config.ts';
    import { startTracingIfConfigured } from './src/tracing.ts';
    await import('./src/server.ts');
    const tracing = await startTracingIfConfigured(loadConfig({}));
    const loaded = Object.keys(createRequire(import.meta.url).cache).filter((f) => ${SDK_MODULE.toString()}.test(f));
    console.log(JSON.stringify({ tracing: tracing !== undefined, loaded }));`;
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OTEL_')));
  const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { env });
  expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toEqual({ tracing: false, loaded: [] });
});

describe('with tracing on', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing;
  beforeAll(async () => {
    tracing = await startTracing({ serviceName: 'drumbeat', spanProcessor: new SimpleSpanProcessor(exporter) });
  });
  afterAll(async () => {
    await tracing.shutdown();
  });

  it('has loaded the SDK (what the test above looks for)', () => {
    expect(loadedSdkModules()).not.toEqual([]);
  });

  describe.each(databaseKinds())('on %s', (kind) => {
    let t: TestApp;
    let url: string;
    beforeAll(async () => {
      // After the SDK started: the Fastify instrumentation joins instances created from now on.
      t = await buildTestApp({ kind });
      await seedPlant(t);
      url = await t.app.listen({ port: 0, host: '127.0.0.1' });
    });
    afterAll(async () => {
      await t.close();
    });

    it('traces a request from the HTTP server through Fastify to its write batch and its statements', async () => {
      exporter.reset();
      // A caller's trace (W3C traceparent) continues here.
      const callerTrace = '4bf92f3577b34da6a3ce929d0e0e4736';
      const res = await fetch(`${url}/v1/plants/plant-1/holds`, {
        method: 'POST',
        headers: { ...t.as('sales'), 'content-type': 'application/json', traceparent: `00-${callerTrace}-00f067aa0ba902b7-01` },
        body: JSON.stringify({ sku: 'P1', quantity: 20, promiseDate: '2026-11-27', customer: 'ACME' }),
      });
      expect(res.status, await res.text()).toBe(201);
      const spans = exporter.getFinishedSpans();
      const scope = (s: ReadableSpan) => s.instrumentationScope.name;

      const server = spans.find((s) => scope(s) === '@opentelemetry/instrumentation-http' && s.kind === SpanKind.SERVER);
      expect(server, spans.map((s) => `${scope(s)} ${s.name}`).join('\n')).toBeDefined();
      expect(server!.resource.attributes['service.name']).toBe('drumbeat');
      const traceId = server!.spanContext().traceId;
      expect(traceId).toBe(callerTrace);
      const inTrace = spans.filter((s) => s.spanContext().traceId === traceId);

      expect(inTrace.some((s) => scope(s) === '@fastify/otel')).toBe(true);
      const batches = inTrace.filter((s) => s.name === 'drumbeat.write_batch');
      expect(batches).toHaveLength(1);
      expect(batches[0]!.attributes).toMatchObject({ 'drumbeat.plant': 'plant-1', 'drumbeat.batch.size': 1 });
      expect(batches[0]!.attributes['drumbeat.schedule.version']).toBeGreaterThan(0);

      const batchId = batches[0]!.spanContext().spanId;
      const statements = inTrace.filter((s) => scope(s) === '@opentelemetry/instrumentation-pg' && s.kind === SpanKind.CLIENT);
      if (kind === 'postgres') {
        // The transaction's statements (lock, insert, commit) are children of the batch.
        expect(statements.filter((s) => s.parentSpanContext?.spanId === batchId).length).toBeGreaterThanOrEqual(3);
      } else {
        // PGlite runs in this process: there is no client library to trace.
        expect(statements).toEqual([]);
      }
    });
  });
});
