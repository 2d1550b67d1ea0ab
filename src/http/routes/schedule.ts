import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { eventFeed } from '../../domain/event-feed.ts';
import { scheduleView } from '../../domain/promising/schedule-view.ts';
import { PlantParams } from '../../schemas/common.ts';
import { errorResponses } from '../../schemas/problem.ts';
import { EventsQuery, EventsResponse, ScheduleResponse } from '../../schemas/promising.ts';
import type { RouteDeps } from '../route-deps.ts';

const readers = { roles: ['planner', 'erp'] as const };

export const scheduleRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { promising }) => {
  app.get(
    '/v1/plants/:plant/schedule',
    {
      config: readers,
      schema: {
        tags: ['schedule'],
        summary: 'The drum schedule',
        description:
          'The drum sequence (pinned orders first, then earliest drum deadline first) with planned start and finish on the drum calendar, rope release date, drum deadline, slack and buffer zone per order. `ETag` is the schedule version; send `If-None-Match` to get 304 when nothing changed.',
        params: PlantParams,
        response: {
          200: ScheduleResponse,
          304: z.null().describe('Not modified since the version in If-None-Match'),
          ...errorResponses(404, 409),
        },
      },
    },
    async (request, reply) => {
      const view = await scheduleView(promising, request.params.plant);
      const etag = `"${view.scheduleVersion}"`;
      reply.header('etag', etag);
      if (request.headers['if-none-match'] === etag) return reply.code(304).send(null);
      return view;
    },
  );

  app.get(
    '/v1/plants/:plant/events',
    {
      config: readers,
      schema: {
        tags: ['schedule'],
        summary: 'The audit log as a gap-free ordered feed',
        description:
          'Every hold, expiry, confirmation, push, cancellation, capacity change and re-promise, with actor, time, schedule version and what changed. Sequence numbers per plant are consecutive: poll with `after` = the last `seq` you processed.',
        params: PlantParams,
        querystring: EventsQuery,
        response: { 200: EventsResponse, ...errorResponses(404) },
      },
    },
    async (request) => eventFeed(promising, request.params.plant, request.query.after, request.query.limit),
  );
};
