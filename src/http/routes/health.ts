import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { checkReadiness } from '../../domain/health.ts';
import type { AppDeps } from '../route-deps.ts';

const Status = z.object({ status: z.enum(['ok', 'unavailable']), detail: z.string().optional() });

export const healthRoutes: FastifyPluginAsyncZod<Pick<AppDeps, 'db'>> = async (app, { db }) => {
  app.get(
    '/healthz',
    {
      config: { rateLimit: false },
      schema: {
        operationId: 'getLiveness',
        tags: ['health'],
        summary: 'The process is up',
        description: 'Answers 200 while the process runs; touches nothing else (a container liveness probe).',
        security: [],
        response: { 200: Status },
      },
    },
    async () => ({ status: 'ok' as const }),
  );
  app.get(
    '/readyz',
    {
      config: { rateLimit: false },
      schema: {
        operationId: 'getReadiness',
        tags: ['health'],
        summary: 'The database is reachable and migrations are applied',
        description: '200 when the database answers and every migration is applied; 503 otherwise (a load balancer readiness probe).',
        security: [],
        response: { 200: Status, 503: Status },
      },
    },
    async (_request, reply) => {
      const r = await checkReadiness(db);
      if (!r.ready) return reply.code(503).send({ status: 'unavailable', detail: r.detail });
      return { status: 'ok' as const };
    },
  );
};
