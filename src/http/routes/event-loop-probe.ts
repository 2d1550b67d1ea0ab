import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { FastifyPluginAsync } from 'fastify';

/**
 * GET /internal/event-loop: this process's event-loop delay since the last reset
 * (`?reset=true` starts a new window), for the bench (bench/scenarios/event-loop.ts).
 * Registered only when EVENT_LOOP_PROBE=on, admin keys only, and hidden from OpenAPI:
 * it is a measuring instrument, not part of the API.
 */
export const eventLoopProbeRoutes: FastifyPluginAsync = async (app) => {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  app.addHook('onClose', async () => histogram.disable());
  const ms = (ns: number) => Math.round(ns / 1e4) / 100;
  app.get('/internal/event-loop', { config: { roles: ['admin'] }, schema: { hide: true } }, async (request) => {
    const body = {
      samples: histogram.count,
      meanMs: ms(histogram.mean || 0),
      p50Ms: ms(histogram.percentile(50) || 0),
      p99Ms: ms(histogram.percentile(99) || 0),
      maxMs: ms(histogram.max || 0),
    };
    if ((request.query as { reset?: string }).reset === 'true') histogram.reset();
    return body;
  });
};
