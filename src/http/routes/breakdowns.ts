import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { changeBreakdown, listPlantBreakdowns, recordBreakdown } from '../../domain/planning/breakdowns.ts';
import {
  BreakdownCreate,
  BreakdownList,
  BreakdownListQuery,
  BreakdownOutcome,
  BreakdownParams,
  BreakdownPatch,
} from '../../schemas/breakdowns.ts';
import { PlantParams } from '../../schemas/common.ts';
import { errorResponses } from '../../schemas/problem.ts';
import type { RouteDeps } from '../route-deps.ts';

const planners = { roles: ['planner'] as const };

export const breakdownRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { promising }) => {
  app.post(
    '/v1/plants/:plant/breakdowns',
    {
      config: planners,
      schema: {
        operationId: 'createBreakdown',
        tags: ['planning'],
        summary: 'Record a breakdown: a fact, never refused for what it does to the schedule',
        description:
          "The resource is down from `start` (may be in the past) until `expectedEnd`. Its lost time enters the resource's calendar (one downtime capacity change per local day, naming the breakdown). Orders whose plan it breaks are planned again: at their own promise when it still holds, else at the earliest date the schedule can keep (every other order stays on time). Those are listed in `lateOrders` with that date; their promise is unchanged and they are at risk until a planner re-promises them (`POST …/orders/{id}/repromise`). A `breakdown.recorded` event names them.",
        params: PlantParams,
        body: BreakdownCreate,
        response: { 201: BreakdownOutcome, ...errorResponses(404, 409, 413, 415) },
      },
    },
    async (request, reply) => reply.code(201).send(await recordBreakdown(promising, request.params.plant, request.actor, request.body)),
  );

  app.patch(
    '/v1/plants/:plant/breakdowns/:id',
    {
      config: planners,
      schema: {
        operationId: 'updateBreakdown',
        tags: ['planning'],
        summary: 'Extend, shorten or close a breakdown',
        description:
          '`expectedEnd` moves the expected end; `endedAt` closes it (the resource is back; no later than now). The downtime is written again for the new span; orders a longer one breaks are handled as for a new breakdown and listed in `lateOrders`. A closed breakdown cannot change (409).',
        params: BreakdownParams,
        body: BreakdownPatch,
        response: { 200: BreakdownOutcome, ...errorResponses(404, 409, 413, 415) },
      },
    },
    async (request) => changeBreakdown(promising, request.params.plant, request.actor, request.params.id, request.body),
  );

  app.get(
    '/v1/plants/:plant/breakdowns',
    {
      config: { roles: ['planner', 'admin'] },
      schema: {
        operationId: 'listBreakdowns',
        tags: ['planning'],
        summary: 'List breakdowns (latest start first; `open=true`: only those not closed)',
        description:
          'Recorded breakdowns with their resource, start, expected or actual end and the downtime they added; latest start first.',
        params: PlantParams,
        querystring: BreakdownListQuery,
        response: { 200: BreakdownList, ...errorResponses(404) },
      },
    },
    async (request) => listPlantBreakdowns(promising.db, request.params.plant, request.query.open),
  );
};
