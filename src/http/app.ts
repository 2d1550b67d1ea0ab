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

export interface AppDeps {
  db: Db;
  clock: Clock;
  /** Largest quantity accepted on one order line. */
  maxOrderQuantity: number;
}

export interface BuildOptions {
  logger?: FastifyServerOptions['logger'];
  bodyLimit?: number;
}

/** The app factory: no global state; tests build their own app with their own database. */
export async function buildApp(deps: AppDeps, opts: BuildOptions = {}) {
  const app = Fastify({
    logger: opts.logger ?? false,
    bodyLimit: opts.bodyLimit ?? 1024 * 1024,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    // Keep the error handler in charge of 404s for unknown routes too.
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

  await app.register(healthRoutes, { db: deps.db });
  for (const routes of [plantRoutes, resourceRoutes, productRoutes, bufferPolicyRoutes, apiKeyRoutes]) {
    await app.register(routes, deps);
  }
  return app;
}

export type App = Awaited<ReturnType<typeof buildApp>>;
