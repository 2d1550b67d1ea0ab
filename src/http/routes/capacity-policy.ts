import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { getCapacityPolicy, putCapacityPolicy } from '../../domain/capacity-policy-write.ts';
import { CapacityPolicy, CapacityPolicyPut } from '../../schemas/capacity-policy.ts';
import { PlantParams } from '../../schemas/common.ts';
import { errorResponses } from '../../schemas/problem.ts';
import { ifMatchRevision, IfMatchHeaders } from '../etag.ts';
import type { RouteDeps } from '../route-deps.ts';

export const capacityPolicyRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { db, promising }) => {
  app.put(
    '/v1/plants/:plant/capacity-policy',
    {
      config: { roles: ['admin', 'planner'] },
      schema: {
        operationId: 'replaceCapacityPolicy',
        tags: ['planning'],
        summary: 'Replace the plant capacity policy',
        description:
          'Per resource (`resources`, else `defaults`): which extra capacity the proposals of a refused quote or hold may use (overtime before/after shifts, an extra shift on a rest day, night work), in which weekday windows, block lengths and caps per day and week, and the cost per hour of each kind in `currency`. Fields left out take the defaults stated in the README. Changes no capacity itself. `If-Match` guards against lost updates (412); the revision is 0 while the defaults apply.',
        params: PlantParams,
        headers: IfMatchHeaders,
        body: CapacityPolicyPut,
        response: { 200: CapacityPolicy, ...errorResponses(404, 412, 413, 415) },
      },
    },
    async (request, reply) => {
      const policy = await putCapacityPolicy(
        promising,
        request.actor,
        request.params.plant,
        request.body,
        ifMatchRevision(request.headers),
      );
      return reply.header('etag', `"${policy.revision}"`).send(policy);
    },
  );

  app.get(
    '/v1/plants/:plant/capacity-policy',
    {
      config: { roles: ['admin', 'planner'] },
      schema: {
        operationId: 'getCapacityPolicy',
        tags: ['planning'],
        summary: 'Get the plant capacity policy',
        description:
          'The stored policy, or the defaults (revision 0) when none was written. Costs are for planners: sales never sees them.',
        params: PlantParams,
        response: { 200: CapacityPolicy, ...errorResponses(404) },
      },
    },
    async (request, reply) => {
      const policy = await getCapacityPolicy(db, request.params.plant);
      return reply.header('etag', `"${policy.revision}"`).send(policy);
    },
  );
};
