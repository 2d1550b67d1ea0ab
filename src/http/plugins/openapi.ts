import swagger from '@fastify/swagger';
import scalar from '@scalar/fastify-api-reference';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { completeOperations, type OpenApiDocument } from './openapi-headers.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route answers with an ETag (a revision to send back as If-Match / If-None-Match). */
    etag?: boolean;
  }
}

const API_DESCRIPTION = `Drumbeat keeps a make-to-order plant's drum schedule (S-DBR) as the single source of truth.
Salespeople and ERP systems get only delivery dates the schedule can keep; nothing enters the schedule without a reschedule.

Authenticate with \`Authorization: Bearer <api key>\`. Roles: admin (master data, keys), planner, sales, erp.
Errors are RFC 9457 problem details (\`application/problem+json\`) with a stable \`type\` URI; the problem
types with extension members (\`ScheduleInfeasibleProblem\`, …) are named schemas.`;

/** OpenAPI 3.1 generated from the same zod schemas that validate requests. */
export const openapiPlugin = fp(
  async (app: FastifyInstance) => {
    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'Drumbeat API',
          version: '1.0.0',
          description: API_DESCRIPTION,
          contact: { name: 'Drumbeat maintainers', url: 'https://drumbeat.dev' },
          license: { name: 'Proprietary', identifier: 'LicenseRef-Proprietary' },
        },
        // Relative: the server that serves this document (the docs page's samples then name its host).
        servers: [{ url: '/', description: 'The Drumbeat service that serves this document (production or local)' }],
        components: {
          securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'An API key created by an admin.' } },
        },
        security: [{ apiKey: [] }],
        tags: [
          { name: 'health', description: 'Liveness and readiness' },
          { name: 'master data', description: 'Plants, resources and calendars, products and routings, buffer policy (admin)' },
          { name: 'api keys', description: 'API keys and roles (admin)' },
          { name: 'promising', description: 'Quotes, holds, orders: dates the schedule can keep' },
          { name: 'schedule', description: 'The drum schedule and its audit trail' },
          { name: 'planning', description: 'Capacity changes, re-promises, floor progress, rope, buffers' },
          {
            name: 'Capacity requests',
            description: 'A salesperson asks for the capacity that would buy a refused date; a planner accepts a proposal or declines',
          },
          { name: 'data care', description: 'Event archive and customer erasure (admin); see docs/operations.md' },
          {
            name: 'webhooks',
            description: 'Signed webhooks: subscriptions to the event feed, deliveries, pause, resume, replay (admin, erp)',
          },
          {
            name: 'scenarios',
            description:
              'What-if scenarios: capacity changes, re-promises and hypothetical orders compared with the live plan, then promoted atomically (planner; admin reads)',
          },
        ],
      },
      // Each operation states who may call it (x-drumbeat-roles), from the same route config the
      // auth hook enforces: the README's roles table and the access-matrix test read it.
      transform: (input) => {
        const out = jsonSchemaTransform(input);
        const { roles, etag } = input.route.config ?? {};
        return {
          ...out,
          schema: { ...out.schema, ...(roles ? { 'x-drumbeat-roles': [...roles] } : {}), ...(etag ? { 'x-drumbeat-etag': true } : {}) },
        };
      },
      transformObject: (input) => completeOperations(jsonSchemaTransformObject(input) as OpenApiDocument),
    });
    app.get('/openapi.json', { config: { rateLimit: false }, schema: { hide: true } }, async () => app.swagger());
    await app.register(scalar, {
      routePrefix: '/docs',
      // Offline: none of the viewer's buttons that call out to the internet (client generator, AI, deploy).
      configuration: {
        url: '/openapi.json',
        title: 'Drumbeat API',
        hideClientButton: true,
        showDeveloperTools: 'never',
        mcp: { disabled: true },
        telemetry: false,
        // Its fonts come from fonts.scalar.com: the page stays on this origin (and within its CSP).
        withDefaultFonts: false,
      },
    });
  },
  { name: 'openapi' },
);
