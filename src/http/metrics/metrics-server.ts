import Fastify from 'fastify';
import { clientErrorHandler } from '../plugins/errors.ts';
import { securityHeadersPlugin } from '../plugins/security-headers.ts';
import { shutdownPlugin } from '../plugins/shutdown.ts';
import type { Metrics } from './metrics.ts';

/**
 * The scrape endpoint, on a listener of its own (METRICS_PORT): never on the API port, so it
 * needs no API key, is not in the public OpenAPI contract and is not rate limited; who may
 * reach it is decided by where the port is bound (METRICS_HOST) and the network around it.
 */
export async function buildMetricsApp(metrics: Metrics) {
  // Its answers carry the API's security headers, its refusals are the API's problems: one set of each, not a second.
  const app = Fastify({ logger: false, return503OnClosing: false, clientErrorHandler });
  await app.register(securityHeadersPlugin, { corsOrigins: [] });
  await app.register(shutdownPlugin);
  app.get('/metrics', async (_request, reply) => {
    const body = await metrics.registry.metrics();
    return reply.header('content-type', metrics.registry.contentType).send(body);
  });
  await app.ready();
  return app;
}
