import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { assertWithinHorizon } from '../../domain/planning-horizon.ts';
import {
  createCapacityChange,
  listPlantCapacityChanges,
  previewCapacityChange,
  revokeCapacityChange,
} from '../../domain/planning/capacity-changes.ts';
import { PlantParams } from '../../schemas/common.ts';
import {
  CapacityChangeCreate,
  CapacityChangeList,
  CapacityChangeListQuery,
  CapacityChangeOutcome,
  CapacityChangeParams,
  CapacityChangeRevoke,
  PreviewQuery,
} from '../../schemas/planning.ts';
import { errorResponses } from '../../schemas/problem.ts';
import type { RouteDeps } from '../route-deps.ts';
import { ifMatchRevision, IfMatchHeaders } from '../etag.ts';

const planners = { roles: ['planner'] as const };
const etag = (revision: number) => `"${revision}"`;

export const capacityChangeRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { promising }) => {
  app.post(
    '/v1/plants/:plant/capacity-changes',
    {
      config: { ...planners, etag: true },
      schema: {
        operationId: 'createCapacityChange',
        tags: ['planning'],
        summary: 'Add capacity (overtime, extra shift) or take it away (downtime, holiday) on a resource',
        description:
          'A reschedule. `?preview=true` answers with the engine diff (orders that move, orders that would become late with their earliest feasible promise) and changes nothing. On the drum, a change that would make committed orders late is refused with 409 `schedule-infeasible` listing `lateOrders`, unless `repromises` re-promises each of them (at or after its `earliestPromiseDate`, with a reason); every re-promise is an `order.repromised` event. On any other resource, a change that takes time out of the planned operation of an order is refused the same way (409 listing `ordersLosingCapacity`) unless `repromises` moves each of them (to a later date; the new date is planned on the new calendars). `If-Match` with the capacity revision (the ETag of the list) guards against lost updates (412).',
        params: PlantParams,
        querystring: PreviewQuery,
        headers: IfMatchHeaders,
        body: CapacityChangeCreate,
        response: { 200: CapacityChangeOutcome, 201: CapacityChangeOutcome, ...errorResponses(404, 409, 412, 413, 415) },
      },
    },
    async (request, reply) => {
      const { plant } = request.params;
      assertWithinHorizon(promising, [['body.date', request.body.date], ...repromiseDates(request.body.repromises)]);
      if (request.query.preview) {
        const preview = await previewCapacityChange(promising, plant, request.body);
        return reply.header('etag', etag(preview.capacityRevision)).send(preview);
      }
      const result = await createCapacityChange(promising, plant, request.actor, request.body, ifMatchRevision(request.headers));
      return reply.code(201).header('etag', etag(result.capacityRevision)).send(result);
    },
  );

  app.get(
    '/v1/plants/:plant/capacity-changes',
    {
      config: { roles: ['planner', 'admin'], etag: true },
      schema: {
        operationId: 'listCapacityChanges',
        tags: ['planning'],
        summary: 'List capacity changes (active; `includeRevoked=true` for all)',
        description: '`ETag` is the capacity revision: send it as `If-Match` when adding or revoking a change.',
        params: PlantParams,
        querystring: CapacityChangeListQuery,
        response: { 200: CapacityChangeList, ...errorResponses(404) },
      },
    },
    async (request, reply) => {
      const list = await listPlantCapacityChanges(promising.db, request.params.plant, request.query.includeRevoked);
      return reply.header('etag', etag(list.capacityRevision)).send(list);
    },
  );

  app.delete(
    '/v1/plants/:plant/capacity-changes/:id',
    {
      config: { ...planners, etag: true },
      schema: {
        operationId: 'revokeCapacityChange',
        tags: ['planning'],
        summary: 'Revoke a capacity change (a reschedule under the same rule)',
        description:
          'Taking back overtime may make orders late: refused with 409 `schedule-infeasible` listing `lateOrders` unless the body re-promises each. `?preview=true` answers with the diff only. `If-Match` as for adding.',
        params: CapacityChangeParams,
        querystring: PreviewQuery,
        headers: IfMatchHeaders,
        body: CapacityChangeRevoke,
        response: { 200: CapacityChangeOutcome, ...errorResponses(404, 409, 412, 413, 415) },
      },
    },
    async (request, reply) => {
      const { plant, id } = request.params;
      assertWithinHorizon(promising, repromiseDates(request.body?.repromises));
      const result = await revokeCapacityChange(
        promising,
        plant,
        request.actor,
        id,
        { reason: request.body?.reason, repromises: request.body?.repromises, preview: request.query.preview },
        ifMatchRevision(request.headers),
      );
      return reply.header('etag', etag(result.capacityRevision)).send(result);
    },
  );
};

const repromiseDates = (items: readonly { promiseDate: string }[] | undefined) =>
  (items ?? []).map((r, i) => [`body.repromises[${i}].promiseDate`, r.promiseDate] as const);
