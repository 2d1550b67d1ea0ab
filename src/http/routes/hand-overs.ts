import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { handOver } from '../../domain/promising/hand-over.ts';
import { PlantParams } from '../../schemas/common.ts';
import { errorResponses } from '../../schemas/problem.ts';
import { HandOverRequest, HandOverResult } from '../../schemas/promising.ts';
import type { RouteDeps } from '../route-deps.ts';

export const handOverRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { promising }) => {
  app.post(
    '/v1/plants/:plant/hand-overs',
    {
      config: { roles: ['planner'] },
      schema: {
        operationId: 'createHandOver',
        tags: ['promising'],
        summary: 'Hand one order, or all orders of a customer, over to another principal',
        description:
          'Sales hands a client to account management: the receiving principal sees and acts on the orders from now on, the previous owner no longer does. One `orders.handed-over` event per order (same version) names who moved it from whom, so the order feed and the new owner feed (`GET /v1/me/events`) show it. 404 when the order (or any order of the customer) does not exist in the plant; 400 when `to` has no active key.',
        params: PlantParams,
        body: HandOverRequest,
        response: { 200: HandOverResult, ...errorResponses(404, 413, 415) },
      },
    },
    async (request) => handOver(promising, request.params.plant, request.actor, request.body),
  );
};
