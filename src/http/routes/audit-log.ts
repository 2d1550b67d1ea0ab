import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { listAudit } from '../../domain/audit.ts';
import { AuditPage, AuditQuery } from '../../schemas/audit.ts';
import { errorResponses } from '../../schemas/problem.ts';
import type { RouteDeps } from '../route-deps.ts';

export const auditLogRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { db }) => {
  app.get(
    '/v1/audit-log',
    {
      config: { roles: ['admin'] },
      schema: {
        operationId: 'listAuditLog',
        tags: ['api keys'],
        summary: 'Audit log of keys and master data',
        description:
          "Who created or revoked API keys and changed plants, resources and calendars, products and routings, and buffer policies, newest first. An admin key limited to plants sees the entries of its plants only. Schedule changes are in each plant's event feed.",
        querystring: AuditQuery,
        response: { 200: AuditPage, ...errorResponses() },
      },
    },
    async (request) => listAudit(db, request.actor, { limit: request.query.limit, before: request.query.before }),
  );
};
