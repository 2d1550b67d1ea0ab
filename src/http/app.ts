import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyServerOptions } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Db } from '../db/database.ts';
import { createKeyResolver } from '../domain/api-keys.ts';
import type { Clock } from '../domain/clock.ts';
import { authPlugin } from './plugins/auth.ts';
import { errorsPlugin } from './plugins/errors.ts';
import { openapiPlugin } from './plugins/openapi.ts';
import { apiKeyRoutes } from './routes/api-keys.ts';
import { bufferPolicyRoutes } from './routes/buffer-policy.ts';
import { healthRoutes } from './routes/health.ts';
import { plantRoutes } from './routes/plants.ts';
import { productRoutes } from './routes/products.ts';
import { resourceRoutes } from './routes/resources.ts';
import { holdRoutes } from './routes/holds.ts';
import { orderRoutes } from './routes/orders.ts';
import { quoteRoutes } from './routes/quotes.ts';
import { scheduleRoutes } from './routes/schedule.ts';
import { capacityChangeRoutes } from './routes/capacity-changes.ts';
import { floorRoutes } from './routes/floor.ts';
import { planningReportRoutes } from './routes/planning-reports.ts';
import type { PromisingDeps } from '../domain/promising/quotes.ts';
import { QuoteRecorder } from '../domain/quote-recorder.ts';
import { startHoldSweeper } from '../domain/schedule/hold-sweeper.ts';
import { PlantCache } from '../domain/schedule/plant-cache.ts';
import { ScheduleWriter } from '../domain/schedule/schedule-writer.ts';
import { ChangeFeed, followChanges } from '../domain/schedule/change-feed.ts';
import type { DbHandle } from '../db/connect.ts';

export interface AppDeps {
  db: Db;
  clock: Clock;
  /** Largest quantity accepted on one order line. */
  maxOrderQuantity: number;
  /** Database change notifications; without them every read checks versions in the database. */
  listen?: DbHandle['listen'] | undefined;
  /** The process's write path; tests pass their own to reach its seams. Default: a new one. */
  writer?: ScheduleWriter | undefined;
}

/** What route plugins receive: the app's dependencies plus this process's engine cache. */
export interface RouteDeps extends AppDeps {
  promising: PromisingDeps;
}

export interface BuildOptions {
  logger?: FastifyServerOptions['logger'];
  bodyLimit?: number;
  /** Background hold expiry interval; 0 disables it (tests drive expiry through reads). */
  holdSweepMs?: number;
}

/** The app factory: no global state; tests build their own app with their own database. */
export async function buildApp(deps: AppDeps, opts: BuildOptions = {}) {
  const app = Fastify({
    logger: opts.logger ?? false,
    bodyLimit: opts.bodyLimit ?? 1024 * 1024,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    // While shutting down, new requests get 503 and in-flight ones finish.
    return503OnClosing: true,
  }).withTypeProvider<ZodTypeProvider>();

  // The API speaks JSON only: any other body is a 415, not a confusing validation error.
  app.removeContentTypeParser('text/plain');
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  await app.register(errorsPlugin);
  await app.register(authPlugin, { resolveKey: createKeyResolver(deps.db) });
  await app.register(openapiPlugin);

  const quotes = new QuoteRecorder(deps.db);
  const writer = deps.writer ?? newScheduleWriter(deps);
  const { feed } = writer.deps;
  const promising: PromisingDeps = {
    ...writer.deps,
    writer,
    quotes,
    maxOrderQuantity: deps.maxOrderQuantity,
  };
  const routeDeps: RouteDeps = { ...deps, promising };

  await app.register(healthRoutes, { db: deps.db });
  for (const routes of [
    plantRoutes,
    resourceRoutes,
    productRoutes,
    bufferPolicyRoutes,
    apiKeyRoutes,
    quoteRoutes,
    holdRoutes,
    orderRoutes,
    scheduleRoutes,
    capacityChangeRoutes,
    floorRoutes,
    planningReportRoutes,
  ]) {
    await app.register(routes, routeDeps);
  }

  let stopSweeper = () => {};
  let unlisten = async () => {};
  app.addHook('onReady', async () => {
    quotes.start();
    if (deps.listen && feed) unlisten = await followChanges(deps.listen, feed, (msg) => app.log.warn(msg));
    if (opts.holdSweepMs) stopSweeper = startHoldSweeper(promising, opts.holdSweepMs, (err) => app.log.error({ err }, 'hold sweep failed'));
  });
  app.addHook('onClose', async () => {
    stopSweeper();
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
