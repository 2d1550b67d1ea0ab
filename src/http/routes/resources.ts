import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { assertWithinHorizon } from '../../domain/planning-horizon.ts';
import { z } from 'zod';
import { getResource, listResources, putResource } from '../../domain/resources.ts';
import { PlantParams } from '../../schemas/common.ts';
import { Resource, ResourceParams, ResourcePut } from '../../schemas/master-data.ts';
import { errorResponses } from '../../schemas/problem.ts';
import type { RouteDeps } from '../route-deps.ts';
import { ifMatchRevision, IfMatchHeaders } from '../etag.ts';

const readers = { roles: ['admin', 'planner'] as const };

export const resourceRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { db, promising }) => {
  app.put(
    '/v1/plants/:plant/resources/:resource',
    {
      config: { roles: ['admin'], etag: true },
      schema: {
        operationId: 'putResource',
        tags: ['master data'],
        summary: 'Create or replace a resource and its calendar',
        description:
          'A resource is a work centre; exactly one per plant is the drum (a second is a 409). Changing the drum calendar is a reschedule: refused with 409 `schedule-infeasible` (listing `lateOrders`) when it would make committed orders late. The calendar is a weekly shift pattern in the plant time zone plus dated exceptions. Send `If-Match: "<revision>"` to guard against lost updates (412 when stale).',
        params: ResourceParams,
        headers: IfMatchHeaders,
        body: ResourcePut,
        response: { 200: Resource, 201: Resource, ...errorResponses(404, 409, 412, 413, 415) },
      },
    },
    async (request, reply) => {
      const { plant, resource } = request.params;
      assertWithinHorizon(
        promising,
        request.body.calendar.exceptions.map((e, i) => [`body.calendar.exceptions[${i}].date`, e.date] as const),
      );
      const result = await putResource(promising, request.actor, plant, resource, request.body, ifMatchRevision(request.headers));
      return reply
        .code(result.created ? 201 : 200)
        .header('etag', `"${result.resource.revision}"`)
        .send(result.resource);
    },
  );

  app.get(
    '/v1/plants/:plant/resources',
    {
      config: readers,
      schema: {
        operationId: 'listResources',
        tags: ['master data'],
        summary: 'List resources',
        description: 'Every resource of the plant with its calendar; the drum is marked.',
        params: PlantParams,
        response: { 200: z.object({ items: z.array(Resource) }), ...errorResponses(404) },
      },
    },
    async (request) => ({ items: await listResources(db, request.params.plant) }),
  );

  app.get(
    '/v1/plants/:plant/resources/:resource',
    {
      config: { ...readers, etag: true },
      schema: {
        operationId: 'getResource',
        tags: ['master data'],
        summary: 'Get a resource',
        description: 'A resource with its weekly shifts, calendar exceptions and revision (send it as If-Match when replacing it).',
        params: ResourceParams,
        response: { 200: Resource, ...errorResponses(404) },
      },
    },
    async (request, reply) => {
      const r = await getResource(db, request.params.plant, request.params.resource);
      return reply.header('etag', `"${r.revision}"`).send(r);
    },
  );
};
