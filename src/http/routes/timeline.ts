import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { assertWithinHorizon } from '../../domain/planning-horizon.ts';
import { plantTimeline } from '../../domain/planning/timeline.ts';
import { PlantParams } from '../../schemas/common.ts';
import { errorResponses } from '../../schemas/problem.ts';
import { Timeline, TimelineQuery } from '../../schemas/timeline.ts';
import { ifNoneMatchHits, IfNoneMatchHeaders } from '../etag.ts';
import { plainJson } from '../plain-json.ts';
import type { RouteDeps } from '../route-deps.ts';

export const timelineRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { promising }) => {
  app.get(
    '/v1/plants/:plant/timeline',
    {
      config: { roles: ['planner', 'floor', 'admin'], etag: true },
      serializerCompiler: plainJson,
      schema: {
        operationId: 'getTimeline',
        tags: ['planning'],
        summary: 'The published plan per resource over a range of days (a Gantt chart’s data)',
        description:
          'For local dates [from, to] (default today and the next 28 days; at most 92): per resource its working stretches on its own calendar, the planned intervals of open orders on it (status; a hold with its expiry), and the days whose planned load exceeds capacity; with the end of the frozen window. The same published plans as GET …/plan and GET …/load. `ETag` is the schedule version and the range: send `If-None-Match` to get 304 when nothing changed.',
        params: PlantParams,
        querystring: TimelineQuery,
        headers: IfNoneMatchHeaders,
        response: {
          200: Timeline,
          304: z.undefined().describe('Not modified since the ETag in If-None-Match (no body)'),
          ...errorResponses(404, 409),
        },
      },
    },
    async (request, reply) => {
      assertWithinHorizon(promising, [
        ['querystring.from', request.query.from],
        ['querystring.to', request.query.to],
      ]);
      const etagOf = (version: number, from: string, to: string) => `"${version}-${from}-${to}"`;
      const ifNoneMatch = request.headers['if-none-match'];
      const out = await plantTimeline(promising, request.params.plant, request.query, (v, from, to) =>
        ifNoneMatchHits(ifNoneMatch, etagOf(v, from, to)),
      );
      if (out.notModified)
        return reply
          .header('etag', etagOf(out.version, out.from, out.to))
          .code(304)
          .send();
      return reply.header('etag', etagOf(out.body.plantVersion, out.body.from, out.body.to)).send(out.body);
    },
  );
};
