import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { assertWithinHorizon } from '../../domain/planning-horizon.ts';
import { goLive } from '../../domain/planning/go-live.ts';
import { PlantParams } from '../../schemas/common.ts';
import { errorResponses } from '../../schemas/problem.ts';
import { GoLiveOutcome, GoLiveRequest } from '../../schemas/promising.ts';
import type { RouteDeps } from '../route-deps.ts';

export const goLiveRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { promising }) => {
  app.post(
    '/v1/plants/:plant/go-live',
    {
      config: { roles: ['admin'] },
      schema: {
        operationId: 'goLive',
        tags: ['planning'],
        summary: "Load the plant's existing open orders once, as facts",
        description:
          'At go-live, the open orders with the dates already promised to customers (past dates allowed, within the planning window like every date the API takes). In promise order each is planned at its own date when the schedule can keep it (no lead-time floor: the promise was given before), else at the earliest date it can keep, with its promise unchanged: listed in `lateOrders` and published late (at risk) until a planner re-promises it, never silently on time. One write, all or nothing (field errors name `body.orders[i]`); refused (409) once the plant has any order. Events: `order.created` per order and `plant.went-live`.',
        params: PlantParams,
        body: GoLiveRequest,
        response: { 201: GoLiveOutcome, ...errorResponses(404, 409, 413, 415) },
      },
    },
    async (request, reply) => {
      const { orders } = request.body;
      // Past promise dates are facts, but within the planning window, as every date the API takes.
      assertWithinHorizon(
        promising,
        orders.flatMap((o, i) => [
          [`body.orders[${i}].promiseDate`, o.promiseDate] as const,
          [`body.orders[${i}].materialAvailableDate`, o.materialAvailableDate] as const,
        ]),
      );
      return reply.code(201).send(await goLive(promising, request.params.plant, request.actor, orders));
    },
  );
};
