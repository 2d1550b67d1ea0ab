import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyServerOptions } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { RATE_LIMIT_DEFAULTS } from '../config.ts';
import { KeyResolver } from '../domain/key-resolver.ts';
import { DEFAULT_PLANNING_HORIZON_DAYS } from '../domain/planning-horizon.ts';
import { AuthFailures } from './auth-failures.ts';
import { authPlugin } from './plugins/auth.ts';
import { clientErrorHandler, errorsPlugin, frameworkErrors, MAX_PATH_PARAMETER_LENGTH } from './plugins/errors.ts';
import { securityHeadersPlugin } from './plugins/security-headers.ts';
import { shutdownPlugin } from './plugins/shutdown.ts';
import { DatabaseOutage } from './database-outage.ts';
import { checkDatabase } from '../domain/health.ts';
import { openapiPlugin } from './plugins/openapi.ts';
import { rateLimitsPlugin, type RateLimitSettings } from './plugins/rate-limits.ts';
import { apiKeyRoutes } from './routes/api-keys.ts';
import { atRiskRoutes } from './routes/at-risk.ts';
import { auditLogRoutes } from './routes/audit-log.ts';
import { bufferPolicyRoutes } from './routes/buffer-policy.ts';
import { capacityPolicyRoutes } from './routes/capacity-policy.ts';
import { benchFloorRoutes } from './routes/bench-floor.ts';
import { eventLoopProbeRoutes } from './routes/event-loop-probe.ts';
import { healthRoutes } from './routes/health.ts';
import { rootRoutes } from './routes/root.ts';
import { plantRoutes } from './routes/plants.ts';
import { productRoutes } from './routes/products.ts';
import { resourceRoutes } from './routes/resources.ts';
import { holdRoutes } from './routes/holds.ts';
import { handOverRoutes } from './routes/hand-overs.ts';
import { orderRoutes } from './routes/orders.ts';
import { quoteRoutes } from './routes/quotes.ts';
import { scheduleRoutes } from './routes/schedule.ts';
import { breakdownRoutes } from './routes/breakdowns.ts';
import { goLiveRoutes } from './routes/go-live.ts';
import { capacityChangeRoutes } from './routes/capacity-changes.ts';
import { capacityRequestRoutes } from './routes/capacity-requests.ts';
import { floorRoutes } from './routes/floor.ts';
import { planningReportRoutes } from './routes/planning-reports.ts';
import type { PromisingDeps } from '../domain/promising/quotes.ts';
import { QuoteRecorder } from '../domain/quote-recorder.ts';
import { startRetention } from '../domain/retention/retention.ts';
import { dataCareRoutes } from './routes/data-care.ts';
import { planLegacyOrdersAtStart, startHoldSweeper } from '../domain/schedule/hold-sweeper.ts';
import { PlantCache } from '../domain/schedule/plant-cache.ts';
import { ScheduleWriter } from '../domain/schedule/schedule-writer.ts';
import { ChangeFeed, followChanges } from '../domain/schedule/change-feed.ts';
import type { AppDeps, RouteDeps } from './route-deps.ts';
import type { Metrics } from './metrics/metrics.ts';
import { WebhookDeliverer } from '../domain/webhooks/deliverer.ts';
import { DEFAULT_WEBHOOK_SETTINGS, type WebhookSettings } from '../domain/webhooks/settings.ts';
import { webhookRoutes } from './routes/webhooks.ts';
import { scenarioRoutes } from './routes/scenarios.ts';
import { webSessionRoutes } from './routes/web-session.ts';
import { eventStreamRoutes } from './routes/event-stream.ts';
import { timelineRoutes } from './routes/timeline.ts';
import { defaultWebDistDir, webAppRoutes } from './plugins/web-app.ts';
import { DEFAULT_WEB_SESSION_HOURS, findWebSession } from '../domain/web-sessions.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** This app's webhook deliverer (tests run it with runOnce). */
    webhookDeliverer: WebhookDeliverer;
  }
}

export interface BuildOptions {
  logger?: FastifyServerOptions['logger'];
  bodyLimit?: number;
  /** Background hold expiry interval; 0 disables it (tests drive expiry through reads). */
  holdSweepMs?: number;
  /** Browser origins allowed to call the API (CORS); empty: CORS off. */
  corsOrigins?: string[];
  /** Proxy hops whose X-Forwarded-For is trusted for the client address (0: the TCP peer). */
  trustProxyHops?: number;
  /** Rate limits (per process); unset fields take the defaults of the configuration. */
  rateLimits?: Partial<RateLimitSettings>;
  /** How long a valid API key is trusted without a query while the change feed is healthy (default 5 s). */
  keyCacheMs?: number;
  /** Serve GET /internal/event-loop (admin only, hidden from OpenAPI): event-loop delay for the bench. */
  eventLoopProbe?: boolean;
  /** Serve POST …/noop, the benchmark's HTTP floor (BENCH_FLOOR=on). */
  benchFloor?: boolean;
  /** Fold quote records older than this many days into per-day counts, hourly (QUOTE_LOG_RETENTION_DAYS); unset: keep them. */
  quoteRetentionDays?: number;
  /** Days a what-if scenario lives after its last change (SCENARIO_TTL_DAYS, default 7). */
  scenarioTtlDays?: number;
  /** Webhook delivery (WEBHOOK_* configuration); unset fields take the defaults, and pollMs 0 (the default) starts no background deliverer. */
  webhooks?: Partial<WebhookSettings>;
  /** Absolute lifetime of a web board session (WEB_SESSION_HOURS, default 8). */
  webSessionHours?: number;
  /** The built web app served at /app (WEB_DIST_DIR; default <repo>/web/dist). */
  webDistDir?: string;
  /** Prometheus instruments to feed (requests, quotes, write batches, plant gauges); served by buildMetricsApp. */
  metrics?: Metrics;
}

/** How often the retention runs (expired web sessions, quote records past their retention); its work is at most an hour's sessions and a day's records, so hourly keeps each run small. */
const RETENTION_INTERVAL_MS = 3_600_000;

/** The app factory: no global state; tests build their own app with their own database. */
export async function buildApp(deps: AppDeps, opts: BuildOptions = {}) {
  const app = Fastify({
    logger: opts.logger ?? false,
    bodyLimit: opts.bodyLimit ?? 1024 * 1024,
    // Per-address limits count the client, not the proxy in front of it, when hops are configured.
    ...(opts.trustProxyHops ? { trustProxy: (_address: string, hop: number) => hop < opts.trustProxyHops! } : {}),
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    // While shutting down, in-flight requests finish and new ones get a 503 problem (shutdownPlugin).
    return503OnClosing: false,
    routerOptions: { maxParamLength: MAX_PATH_PARAMETER_LENGTH },
    // Errors raised before a route matches (bad URL, over-long parameter, unparsable HTTP) are problem+json too.
    frameworkErrors,
    clientErrorHandler,
  }).withTypeProvider<ZodTypeProvider>();

  // The API speaks JSON only: any other body is a 415, not a confusing validation error.
  app.removeContentTypeParser('text/plain');
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.addHook('onSend', (request, reply, payload, done) => {
    reply.header('x-request-id', request.id);
    done(null, payload);
  });
  const metrics = opts.metrics;
  if (metrics) {
    // The route template, never the raw URL: one series per route, however many plants and orders.
    app.addHook('onResponse', (request, reply, done) => {
      metrics.observeRequest(request.routeOptions.url, request.method, reply.statusCode, reply.elapsedTime / 1000);
      done();
    });
  }

  const outage = new DatabaseOutage(app.log, () => checkDatabase(deps.db));
  await app.register(errorsPlugin, { outage });
  await app.register(securityHeadersPlugin, { corsOrigins: opts.corsOrigins ?? [] });
  await app.register(shutdownPlugin);
  const limits: RateLimitSettings = {
    windowMs: RATE_LIMIT_DEFAULTS.windowSeconds * 1000,
    perKey: RATE_LIMIT_DEFAULTS.perKey,
    failuresPerAddress: RATE_LIMIT_DEFAULTS.failuresPerAddress,
    ...opts.rateLimits,
  };
  // One change feed per process: the engine cache and the key cache both listen to it.
  const writer = deps.writer ?? newScheduleWriter(deps);
  const { feed } = writer.deps;
  if (metrics) {
    writer.observeBatches((seconds, size) => metrics.observeBatch(seconds, size));
    metrics.watchPlants(writer.deps.cache, deps.clock);
  }
  const keys = new KeyResolver(deps.db, { feed, ...(opts.keyCacheMs ? { knownTtlMs: opts.keyCacheMs } : {}) });
  const failures = new AuthFailures(limits.failuresPerAddress, limits.windowMs);
  await app.register(authPlugin, {
    resolveKey: (key) => keys.resolve(key),
    findSession: (token) => findWebSession(deps.db, deps.clock, token),
    failures,
  });
  await app.register(rateLimitsPlugin, limits);
  await app.register(openapiPlugin);

  const planningHorizonDays = deps.planningHorizonDays ?? DEFAULT_PLANNING_HORIZON_DAYS;
  const quotes = new QuoteRecorder(deps.db, undefined, (err, { pending, dropped }) =>
    app.log.error({ err, pending, dropped }, 'quote records not written; retried at the next flush'),
  );
  const promising: PromisingDeps = {
    ...writer.deps,
    writer,
    quotes,
    maxOrderQuantity: deps.maxOrderQuantity,
    planningHorizonDays,
    ...(metrics ? { observeQuote: (seconds: number) => metrics.observeQuote(seconds) } : {}),
  };
  const webhookSettings: WebhookSettings = { ...DEFAULT_WEBHOOK_SETTINGS, ...opts.webhooks };
  const deliverer = new WebhookDeliverer({
    db: deps.db,
    clock: deps.clock,
    settings: webhookSettings,
    onError: (err) => {
      if (!outage.noticed(err)) app.log.error({ err }, 'webhook delivery failed');
    },
  });
  app.decorate('webhookDeliverer', deliverer);
  if (metrics) metrics.watchWebhookBacklog(() => deliverer.backlog());
  const webhooks = { db: deps.db, clock: deps.clock, settings: webhookSettings, wake: () => deliverer.wake() };
  const routeDeps: RouteDeps = { ...deps, promising, planningHorizonDays, keys, webhooks, scenarioTtlDays: opts.scenarioTtlDays ?? 7 };

  await app.register(healthRoutes, { db: deps.db });
  await app.register(webSessionRoutes, {
    db: deps.db,
    clock: deps.clock,
    keys,
    failures,
    hours: opts.webSessionHours ?? DEFAULT_WEB_SESSION_HOURS,
  });
  await app.register(rootRoutes);
  await app.register(webAppRoutes, { dir: opts.webDistDir ?? defaultWebDistDir() });
  if (opts.eventLoopProbe) await app.register(eventLoopProbeRoutes);
  for (const routes of [
    plantRoutes,
    resourceRoutes,
    productRoutes,
    bufferPolicyRoutes,
    capacityPolicyRoutes,
    apiKeyRoutes,
    auditLogRoutes,
    quoteRoutes,
    holdRoutes,
    orderRoutes,
    handOverRoutes,
    scheduleRoutes,
    capacityChangeRoutes,
    capacityRequestRoutes,
    breakdownRoutes,
    goLiveRoutes,
    floorRoutes,
    planningReportRoutes,
    atRiskRoutes,
    dataCareRoutes,
    webhookRoutes,
    scenarioRoutes,
    eventStreamRoutes,
    timelineRoutes,
  ]) {
    await app.register(routes, routeDeps);
  }
  if (opts.benchFloor) await app.register(benchFloorRoutes, routeDeps);

  let stopSweeper = () => {};
  let stopRetention = async () => {};
  let unlisten = async () => {};
  app.addHook('onReady', async () => {
    quotes.start();
    if (deps.listen && feed) unlisten = await followChanges(deps.listen, feed, (msg) => app.log.warn(msg));
    if (opts.holdSweepMs) {
      const planned = await planLegacyOrdersAtStart(promising);
      if (planned.length > 0) app.log.info({ plants: planned }, 'planned orders committed before whole-route planning');
    }
    const retention = opts.quoteRetentionDays ? { quoteRetentionDays: opts.quoteRetentionDays } : {};
    stopRetention = startRetention(deps.db, deps.clock, retention, RETENTION_INTERVAL_MS, (err) => {
      if (!outage.noticed(err)) app.log.error({ err }, 'retention failed');
    });
    if (opts.holdSweepMs)
      stopSweeper = startHoldSweeper(promising, opts.holdSweepMs, (err) => {
        if (!outage.noticed(err)) app.log.error({ err }, 'hold sweep failed');
      });
    await deliverer.start(deps.listen);
  });
  app.addHook('onClose', async () => {
    stopSweeper();
    await stopRetention();
    await deliverer.stop();
    await unlisten();
    await quotes.stop();
  });
  return app;
}

/** One write path per process, with its own engine cache and (when the database notifies) change feed. */
export function newScheduleWriter(deps: Pick<AppDeps, 'db' | 'clock' | 'listen'>) {
  return new ScheduleWriter({ db: deps.db, clock: deps.clock, cache: new PlantCache(), feed: deps.listen ? new ChangeFeed() : undefined });
}

export type App = Awaited<ReturnType<typeof buildApp>>;
