import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { getBufferPolicy, putBufferPolicy } from '../../domain/buffer-policy.ts';
import { getPlant } from '../../domain/plants.ts';
import { PlantParams } from '../../schemas/common.ts';
import { BufferPolicy, BufferPolicyPut, BufferPolicyPutResult } from '../../schemas/master-data.ts';
import { errorResponses } from '../../schemas/problem.ts';
import type { RouteDeps } from '../route-deps.ts';
import { ifMatchRevision, IfMatchHeaders } from '../etag.ts';

export const bufferPolicyRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { db, promising }) => {
  app.put(
    '/v1/plants/:plant/buffer-policy',
    {
      config: { roles: ['admin', 'planner'], etag: true },
      schema: {
        operationId: 'putBufferPolicy',
        tags: ['master data'],
        summary: 'Replace the plant buffer policy',
        description:
          'Buffers and the standard lead time are in working days of the drum calendar. Shipping buffer defaults to ½ the production buffer (rounded up), standard lead time to the production buffer. A standard lead time below the production buffer is accepted; the effective lead time is max(standard lead time, production buffer), per product with its own overrides, and `effectiveLeadTimeChanges` lists the products whose effective lead time this change moved. Orders already promised keep their buffers. `If-Match` guards against lost updates (412).',
        params: PlantParams,
        headers: IfMatchHeaders,
        body: BufferPolicyPut,
        response: { 200: BufferPolicyPutResult, ...errorResponses(404, 412, 413, 415) },
      },
    },
    async (request, reply) => {
      await getPlant(db, request.params.plant);
      const policy = await putBufferPolicy(promising, request.actor, request.params.plant, request.body, ifMatchRevision(request.headers));
      return reply.header('etag', `"${policy.revision}"`).send(policy);
    },
  );

  app.get(
    '/v1/plants/:plant/buffer-policy',
    {
      config: { roles: ['admin', 'planner', 'sales', 'erp'], etag: true },
      schema: {
        operationId: 'getBufferPolicy',
        tags: ['master data'],
        summary: 'Get the plant buffer policy',
        description:
          'Production and shipping buffers, standard lead time (working days of the drum calendar) and hold limits. `ETag` is the revision: send it as If-Match when replacing the policy.',
        params: PlantParams,
        response: { 200: BufferPolicy, ...errorResponses(404) },
      },
    },
    async (request, reply) => {
      const policy = await getBufferPolicy(db, request.params.plant);
      return reply.header('etag', `"${policy.revision}"`).send(policy);
    },
  );
};
