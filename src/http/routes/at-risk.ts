import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { mayAccessPlant } from '../../domain/actor.ts';
import { forbidden } from '../../domain/errors.ts';
import { atRiskList } from '../../domain/planning/at-risk-list.ts';
import { ownEventFeed } from '../../domain/promising/own-events.ts';
import { PlantParams, slug } from '../../schemas/common.ts';
import { AtRiskList } from '../../schemas/planning.ts';
import { errorResponses } from '../../schemas/problem.ts';
import { Event, EventsQuery } from '../../schemas/promising.ts';
import type { RouteDeps } from '../route-deps.ts';

const OwnEventsQuery = EventsQuery.extend({
  plant: slug.meta({ description: 'The plant whose events to read (sequence numbers are per plant).' }),
});
const OwnEvents = z.object({
  plant: z.string(),
  items: z.array(Event),
  lastSeq: z.number().int().meta({ description: 'The last event examined (not only returned): pass it as `after` next time.' }),
});

export const atRiskRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { promising }) => {
  app.get(
    '/v1/plants/:plant/at-risk',
    {
      config: { roles: ['planner', 'erp', 'floor'] },
      schema: {
        operationId: 'listAtRiskOrders',
        tags: ['planning'],
        summary: 'At-risk orders, most late first',
        description:
          "Open orders whose projected completion passes the end of their promised day by more than the plant's `atRiskToleranceMinutes` (buffer policy), with the projected finish and the reason (release overdue, a resource, progress behind, a breakdown). The flag is stored on the order by the schedule's writes and the background sweep, and changes with an `order.at-risk` / `order.on-track` event; an order is on track again once re-promised, or once its projection is back inside its promised day by `atRiskRecoveryMinutes`.",
        params: PlantParams,
        response: { 200: AtRiskList, ...errorResponses(404, 409) },
      },
    },
    async (request) => atRiskList(promising, request.params.plant),
  );

  app.get(
    '/v1/me/events',
    {
      config: { roles: ['admin', 'planner', 'sales', 'erp'] },
      schema: {
        operationId: 'listMyEvents',
        tags: ['promising'],
        summary: 'Events about my own orders',
        description:
          "The plant's events about the orders this key may act on (a salesperson: their own holds and orders; other roles: every order), oldest first: re-promises, at-risk and on-track, releases, completions, shipments, and the steps of capacity requests (`capacity-request.*`; a salesperson: those they filed). Poll with `after` = the returned `lastSeq`.",
        querystring: OwnEventsQuery,
        response: { 200: OwnEvents, ...errorResponses(403, 404) },
      },
    },
    async (request) => {
      const { plant, after, limit } = request.query;
      if (!mayAccessPlant(request.actor, plant)) throw forbidden(`This API key is not allowed on plant "${plant}".`);
      return ownEventFeed(promising, request.actor, plant, after, limit);
    },
  );
};
