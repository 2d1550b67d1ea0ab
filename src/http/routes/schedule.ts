import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { eventFeed } from '../../domain/event-feed.ts';
import { schedulePage } from '../../domain/schedule/schedule-pages.ts';
import { PlantParams } from '../../schemas/common.ts';
import { errorResponses } from '../../schemas/problem.ts';
import { EventsQuery, EventsResponse, ScheduleQuery, ScheduleResponse } from '../../schemas/promising.ts';
import { plainJson } from '../plain-json.ts';
import type { RouteDeps } from '../route-deps.ts';
import { ifNoneMatchHits, IfNoneMatchHeaders } from '../etag.ts';

const readers = { roles: ['planner', 'erp'] as const };

export const scheduleRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { promising }) => {
  app.get(
    '/v1/plants/:plant/schedule',
    {
      config: { ...readers, etag: true },
      serializerCompiler: plainJson,
      schema: {
        operationId: 'getSchedule',
        tags: ['schedule'],
        summary: 'The drum schedule, a page at a time',
        description:
          'The drum sequence (pinned orders first, then earliest drum deadline first) with planned start and finish on the drum calendar, rope release date, drum deadline, slack and buffer zone per order. Paged: at most `limit` orders, then pass `nextCursor` as `cursor` for the next page (null on the last); a page costs its size, not the whole schedule. A cursor stays valid across schedule versions (the next page continues after the same order in the current sequence); compare `scheduleVersion` across pages for a consistent snapshot. `ETag` is the schedule version; send `If-None-Match` to get 304 when nothing changed.',
        params: PlantParams,
        querystring: ScheduleQuery,
        headers: IfNoneMatchHeaders,
        response: {
          200: ScheduleResponse,
          304: z.undefined().describe('Not modified since the version in If-None-Match (no body)'),
          ...errorResponses(404, 409),
        },
      },
    },
    async (request, reply) => {
      const etagOf = (version: number) => `"${version}"`;
      const ifNoneMatch = request.headers['if-none-match'];
      const page = await schedulePage(promising, request.params.plant, request.query, (v) => ifNoneMatchHits(ifNoneMatch, etagOf(v)));
      reply.header('etag', etagOf(page.scheduleVersion));
      if (page.body === null) return reply.code(304).send();
      return page.body;
    },
  );

  app.get(
    '/v1/plants/:plant/events',
    {
      config: readers,
      schema: {
        operationId: 'listEvents',
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
