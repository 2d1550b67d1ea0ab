import closeWithGrace from 'close-with-grace';
import { systemClock } from './domain/clock.ts';
import { buildApp } from './http/app.ts';
import type { DbHandle } from './db/connect.ts';
import { openRuntime } from './runtime.ts';
import { isEntryPoint } from './entry-point.ts';
import { parseCli } from './cli/args.ts';
import { Metrics } from './http/metrics/metrics.ts';
import { buildMetricsApp } from './http/metrics/metrics-server.ts';

/** The only file that listens: config → db → migrate → app → listen → graceful stop. */
export async function startServer(onListening?: (url: string, handle: DbHandle) => void | Promise<void>) {
  const { config, handle } = await openRuntime();
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
    },
  );
  const metricsApp = metrics ? await buildMetricsApp(metrics) : undefined;
  closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
    if (err) app.log.error({ err }, 'stopping after an error');
    else app.log.info({ signal }, 'stopping: finishing in-flight requests');
    await metricsApp?.close();
    await app.close();
    await handle.close();
  });
  const url = await app.listen({ port: config.PORT, host: config.HOST });
  app.log.info({ database: handle.kind }, `Drumbeat listening on ${url}`);
  if (metricsApp) {
    const metricsUrl = await metricsApp.listen({ port: config.METRICS_PORT!, host: config.METRICS_HOST });
    app.log.info(`Prometheus metrics on ${metricsUrl}/metrics`);
  }
  await onListening?.(url, handle);
  return { app, config, handle, url };
}

if (isEntryPoint(import.meta.url)) {
  parseCli('Usage: npm start   (configuration comes from environment variables; see the README)', {});
  await startServer();
}
