import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Span } from '@opentelemetry/api';
import type { NodeSDKConfiguration } from '@opentelemetry/sdk-node';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { Config } from './config.ts';
import { withoutLiterals } from './db/literals.ts';

/** A started OpenTelemetry SDK; `shutdown` flushes the spans still buffered. */
export interface Tracing {
  shutdown(): Promise<void>;
}

type TracesExporter = 'otlp' | 'console';

/**
 * Which exporter the environment asks for, or null: tracing off. OTEL_TRACES_EXPORTER decides
 * when set; otherwise an OTLP endpoint alone turns OTLP export on.
 */
export function tracesExporter(config: Config): TracesExporter | null {
  if (config.OTEL_SDK_DISABLED === 'true') return null;
  if (config.OTEL_TRACES_EXPORTER) return config.OTEL_TRACES_EXPORTER === 'none' ? null : config.OTEL_TRACES_EXPORTER;
  return config.OTEL_EXPORTER_OTLP_ENDPOINT || config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ? 'otlp' : null;
}

/** Starts tracing when the environment configures it; otherwise loads nothing of the SDK. */
export async function startTracingIfConfigured(config: Config): Promise<Tracing | undefined> {
  const exporter = tracesExporter(config);
  if (!exporter) return undefined;
  return startTracing({ serviceName: config.OTEL_SERVICE_NAME, exporter });
}

/**
 * Starts the OpenTelemetry Node SDK with spans of HTTP, Fastify and pg. Every SDK module is
 * imported here, on demand: a server without tracing configured never loads them.
 * `spanProcessor` replaces the exporter (tests collect spans in memory).
 */
export async function startTracing(
  options: { serviceName: string } & ({ exporter: TracesExporter } | { spanProcessor: SpanProcessor }),
): Promise<Tracing> {
  const [{ NodeSDK }, { HttpInstrumentation }, { PgInstrumentation }, { FastifyOtelInstrumentation }] = await Promise.all([
    import('@opentelemetry/sdk-node'),
    import('@opentelemetry/instrumentation-http'),
    import('@opentelemetry/instrumentation-pg'),
    import('@fastify/otel'),
  ]);
  let exportTo: Partial<NodeSDKConfiguration> = {}; // console: the SDK builds it from OTEL_TRACES_EXPORTER
  if ('spanProcessor' in options) exportTo = { spanProcessors: [options.spanProcessor] };
  else if (options.exporter === 'otlp') {
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
    // Reads OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT and _HEADERS itself.
    exportTo = { traceExporter: new OTLPTraceExporter() };
  }
  const sdk = new NodeSDK({
    serviceName: options.serviceName,
    ...exportTo,
    // Traces only: metrics are Prometheus' (METRICS_PORT), and the SDK would otherwise start an
    // OTLP metrics and logs pipeline from the same environment.
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      new HttpInstrumentation({ ignoreIncomingRequestHook: (req) => isProbe(req.url) }),
      // Only statements inside a traced request or write batch: the background pollers
      // (webhooks, hold sweep) would otherwise send a root span per poll.
      new PgInstrumentation({ requireParentSpan: true, requestHook: hideInlinedValues }),
      // Registers its plugin on every Fastify instance created from now on (diagnostics channel).
      new FastifyOtelInstrumentation({ registerOnInitialization: true, ignorePaths: ({ url }) => isProbe(url) }),
    ],
  });
  sdk.start();
  patchLoadedModules();
  return {
    // Bounded: an unreachable collector must not turn a graceful stop into close-with-grace's
    // timeout (exit 1); the spans it could not take are lost either way.
    shutdown: () => Promise.race([sdk.shutdown(), sleep(FLUSH_LIMIT_MS, undefined, { ref: false })]),
  };
}

const FLUSH_LIMIT_MS = 3_000;

const QUERY_TEXT = 'db.query.text';

/**
 * A statement sent without bind values may carry values written into its text (a write
 * batch's rows and events, db/literals.ts: customer names, notes, actor labels), which must
 * not reach the collector, a store the erasure procedure never reaches. Its literals leave as
 * `?`. A statement with bind values keeps its text: the values are not in it and are not
 * exported. Overwrites the instrumentation's own attribute, set before this hook runs; the
 * instrumentation swallows a hook's error, which would leave the full text, so none escapes.
 */
function hideInlinedValues(span: Span, { query }: { query: { text: string; values?: unknown[] } }) {
  if (query.values?.length) return;
  let text: string;
  try {
    text = withoutLiterals(query.text);
  } catch {
    text = '/* statement text withheld */';
  }
  span.setAttribute(QUERY_TEXT, text);
}

/** Health checks and scrapes: a trace every few seconds that says nothing. */
const PROBES = new Set(['/healthz', '/readyz', '/metrics']);
const isProbe = (url: string | undefined) => PROBES.has((url ?? '').split('?')[0]!);

/**
 * The instrumentations patch a module when it is next required; pg and http were already
 * loaded by this module's static imports (ESM imports run first). Requiring them again
 * patches the objects ESM holds too: an ESM import of a CommonJS module shares its exports.
 */
function patchLoadedModules() {
  const require = createRequire(import.meta.url);
  for (const name of ['node:http', 'node:https', 'pg', 'pg-pool']) require(name);
}
