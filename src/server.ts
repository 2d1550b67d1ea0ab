import closeWithGrace from 'close-with-grace';
import { systemClock } from './domain/clock.ts';
import { buildApp } from './http/app.ts';
import type { DbHandle } from './db/connect.ts';
import { openRuntime } from './runtime.ts';
import { isEntryPoint } from './entry-point.ts';
import { parseCli } from './cli/args.ts';
import { Metrics } from './http/metrics/metrics.ts';
import { buildMetricsApp } from './http/metrics/metrics-server.ts';
import type { Config } from './config.ts';
import { embeddedSecretKey } from './domain/webhooks/secret-box.ts';
import type { WebhookSettings } from './domain/webhooks/settings.ts';
import { startTracingIfConfigured } from './tracing.ts';

/** The only file that listens: config → db → migrate → app → listen → graceful stop. */
export async function startServer(onListening?: (url: string, handle: DbHandle) => void | Promise<void>) {
  const { config, handle } = await openRuntime();
  // Before the app is built, so its Fastify instance and pg pool are instrumented.
  const tracing = await startTracingIfConfigured(config);
  const metrics = config.METRICS_PORT !== undefined ? new Metrics() : undefined;
  const app = await buildApp(
    {
      db: handle.db,
      clock: systemClock,
      maxOrderQuantity: config.MAX_ORDER_QUANTITY,
      planningHorizonDays: config.PLANNING_HORIZON_DAYS,
      listen: (channel, onPayload, onLost) => handle.listen(channel, onPayload, onLost),
    },
    {
      logger: { level: config.LOG_LEVEL },
      holdSweepMs: config.HOLD_SWEEP_SECONDS * 1000,
      corsOrigins: config.CORS_ORIGINS,
      trustProxyHops: config.TRUST_PROXY_HOPS,
      rateLimits: {
        windowMs: config.RATE_LIMIT_WINDOW_SECONDS * 1000,
        perKey: config.RATE_LIMIT_PER_KEY,
        failuresPerAddress: config.AUTH_FAILURES_PER_ADDRESS,
      },
      eventLoopProbe: config.EVENT_LOOP_PROBE === 'on',
      benchFloor: config.BENCH_FLOOR === 'on',
      ...(config.QUOTE_LOG_RETENTION_DAYS ? { quoteRetentionDays: config.QUOTE_LOG_RETENTION_DAYS } : {}),
      ...(metrics ? { metrics } : {}),
      webhooks: webhookSettings(config),
      webSessionHours: config.WEB_SESSION_HOURS,
      ...(config.WEB_DIST_DIR ? { webDistDir: config.WEB_DIST_DIR } : {}),
    },
  );
  const metricsApp = metrics ? await buildMetricsApp(metrics) : undefined;
  closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
    if (err) app.log.error({ err }, 'stopping after an error');
    else app.log.info({ signal }, 'stopping: finishing in-flight requests');
    await metricsApp?.close();
    await app.close();
    await handle.close();
    // Last: the spans of the requests finished above are flushed too. A collector that
    // refuses them costs the spans, not the clean exit.
    await tracing?.shutdown().catch((err: unknown) => app.log.warn({ err }, 'tracing: spans not flushed'));
  });
  const url = await app.listen({ port: config.PORT, host: config.HOST });
  app.log.info({ database: handle.kind }, `Drumbeat listening on ${url}`);
  if (tracing) app.log.info({ serviceName: config.OTEL_SERVICE_NAME }, 'OpenTelemetry tracing on');
  if (metricsApp) {
    const metricsUrl = await metricsApp.listen({ port: config.METRICS_PORT!, host: config.METRICS_HOST });
    app.log.info(`Prometheus metrics on ${metricsUrl}/metrics`);
  }
  await onListening?.(url, handle);
  return { app, config, handle, url };
}

/**
 * The webhook secret key: WEBHOOK_SECRET_KEY, else on the embedded database a key file kept in
 * DATA_DIR (one process owns that directory), else none: on PostgreSQL several processes must
 * share one key, so without it creating a subscription is refused rather than sealed with a
 * key the other processes lack.
 */
function webhookSettings(config: Config): WebhookSettings {
  return {
    secretKey: config.WEBHOOK_SECRET_KEY ?? (config.DATABASE_URL ? null : embeddedSecretKey(config.DATA_DIR)),
    allowHosts: config.WEBHOOK_ALLOW_HOSTS,
    maxFailures: config.WEBHOOK_MAX_FAILURES,
    retryBaseMs: config.WEBHOOK_RETRY_BASE_SECONDS * 1000,
    retryMaxMs: config.WEBHOOK_RETRY_MAX_SECONDS * 1000,
    timeoutMs: config.WEBHOOK_TIMEOUT_SECONDS * 1000,
    leaseMs: config.WEBHOOK_LEASE_SECONDS * 1000,
    pollMs: config.WEBHOOK_POLL_SECONDS * 1000,
    concurrency: 4,
    deliveryLogMs: config.WEBHOOK_DELIVERY_LOG_DAYS * 86_400_000,
  };
}

if (isEntryPoint(import.meta.url)) {
  parseCli('Usage: npm start   (configuration comes from environment variables; see the README)', {});
  await startServer();
}
