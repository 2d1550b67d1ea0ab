import { sql } from 'kysely';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Db } from '../../db/database.ts';
import { migrationsApplied } from '../../db/migrate.ts';

const Status = z.object({ status: z.enum(['ok', 'unavailable']), detail: z.string().optional() });

export const healthRoutes: FastifyPluginAsyncZod<{ db: Db }> = async (app, { db }) => {
  app.get(
    '/healthz',
    { schema: { tags: ['health'], summary: 'The process is up', security: [], response: { 200: Status } } },
    async () => ({ status: 'ok' as const }),
  );
  app.get(
    '/readyz',
    {
      schema: {
        tags: ['health'],
        summary: 'The database is reachable and migrations are applied',
        security: [],
        response: { 200: Status, 503: Status },
      },
    },
    async (_request, reply) => {
      try {
        await sql`select 1`.execute(db);
        if (!(await migrationsApplied(db))) {
          return reply.code(503).send({ status: 'unavailable', detail: 'migrations pending' });
        }
        return { status: 'ok' as const };
      } catch {
        return reply.code(503).send({ status: 'unavailable', detail: 'database unreachable' });
      }
    },
  );
};
