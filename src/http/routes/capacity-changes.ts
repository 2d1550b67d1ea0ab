import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { assertWithinHorizon } from '../../domain/planning-horizon.ts';
import { createCapacityChange, previewCapacityChange } from '../../domain/planning/capacity-changes.ts';
import { listPlantCapacityChanges } from '../../domain/planning/capacity-change-views.ts';
import {
  createRangedCapacityChange,
  endRangedCapacityChange,
  previewRangedCapacityChange,
  revokeAnyCapacityChange,
  type RangedChangeInput,
} from '../../domain/planning/ranged-capacity-changes.ts';
import { PlantParams } from '../../schemas/common.ts';
import {
  CapacityChangeCreate,
  CapacityChangeEnd,
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
import { idempotent, IdempotencyHeaders } from '../idempotency.ts';

const planners = { roles: ['planner'] as const };
const etag = (revision: number) => `"${revision}"`;

const WriteHeaders = IfMatchHeaders.extend(IdempotencyHeaders.shape);

export const capacityChangeRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { db, clock, promising }) => {
  app.post(
    '/v1/plants/:plant/capacity-changes',
    {
      config: { ...planners, etag: true },
      schema: {
        operationId: 'createCapacityChange',
        tags: ['planning'],
        summary: 'Add capacity (overtime, extra shift) or take it away (downtime, holiday) on a resource',
        description:
          'On one day (`date`), over a range with a weekly pattern (`from`, `to`, `weekdays`, `except`, with `start`/`end` the block on each day; at most 366 days, not in the past), or an explicit list of `blocks` (`[{date, start, end}]`): one change, one reschedule, one `capacity.changed` event listing its `days`. Blocks are wall-clock time: on a daylight-saving day a block the clocks change inside lasts an hour less or more (`clockChangeMinutes`). A block of overtime or extra shift that would add no working minute (the resource already works then, or downtime takes it away) is left out and named in `skippedDays`; none left is a 409. Downtime and holidays keep every day. A ranged change is ended early with `POST …/capacity-changes/{id}/end` and revoked whole with `DELETE`. Each is a reschedule: `?preview=true` answers with the engine diff (orders that move, orders that would become late with their earliest feasible promise) and changes nothing. On the drum, a change that would make committed orders late is refused with 409 `schedule-infeasible` listing `lateOrders`, unless `repromises` re-promises each of them (at or after its `earliestPromiseDate`, with a reason); every re-promise is an `order.repromised` event. On any other resource, a change that takes time out of the planned operation of an order is refused the same way (409 listing `ordersLosingCapacity`) unless `repromises` moves each of them (to a later date; the new date is planned on the new calendars). `If-Match` with the capacity revision (the ETag of the list) guards against lost updates (412).',
        params: PlantParams,
        querystring: PreviewQuery,
        headers: WriteHeaders,
        body: CapacityChangeCreate,
        response: { 200: CapacityChangeOutcome, 201: CapacityChangeOutcome, ...errorResponses(404, 409, 412, 413, 415, 422) },
      },
    },
    async (request, reply) => {
      const { plant } = request.params;
      const { date, from, to, weekdays, except, blocks, ...rest } = request.body;
      assertWithinHorizon(promising, [
        ['body.date', date],
        ['body.from', from],
        ['body.to', to],
        ...(blocks ?? []).map((b, i) => [`body.blocks[${i}].date`, b.date] as const),
        ...repromiseDates(rest.repromises),
      ]);
      const ranged: RangedChangeInput | undefined =
        date !== undefined
          ? undefined
          : from !== undefined && to !== undefined
            ? { ...rest, range: { from, to, weekdays, except, start: rest.start, end: rest.end } }
            : { ...rest, blocks };
      if (request.query.preview) {
        const preview = ranged
          ? await previewRangedCapacityChange(promising, plant, ranged)
          : await previewCapacityChange(promising, plant, { ...rest, date: date! });
        return reply.header('etag', etag(preview.capacityRevision)).send(preview);
      }
      const ifMatch = ifMatchRevision(request.headers);
      return idempotent(db, request, reply, clock.now(), 201, async (idem) => {
        const result = ranged
          ? await createRangedCapacityChange(promising, plant, request.actor, ranged, ifMatch, idem)
          : await createCapacityChange(promising, plant, request.actor, { ...rest, date: date! }, ifMatch, idem);
        reply.header('etag', etag(result.capacityRevision));
        return result;
      });
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
          'Taking back overtime may make orders late: refused with 409 `schedule-infeasible` listing `lateOrders` unless the body re-promises each. `?preview=true` answers with the diff only. `If-Match` as for adding. A ranged change is revoked whole (its days still in force); one of its days alone cannot be (409: end the change early instead).',
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
      const result = await revokeAnyCapacityChange(
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

  app.post(
    '/v1/plants/:plant/capacity-changes/:id/end',
    {
      config: { ...planners, etag: true },
      schema: {
        operationId: 'endCapacityChange',
        tags: ['planning'],
        summary: 'End a ranged capacity change early (its days from a date on are revoked)',
        description:
          'The days of the change on or after `from` (today or later) are taken back in one reschedule under the capacity rule: refused with 409 `schedule-infeasible` listing `lateOrders` (or `ordersLosingCapacity` off the drum) unless `repromises` re-promises each. The days before `from` stay. `?preview=true` answers with the diff only; `If-Match` as for adding. One `capacity.ended` event lists the days revoked. A single-day change, or a ranged one with no day left on or after `from`, is a 409.',
        params: CapacityChangeParams,
        querystring: PreviewQuery,
        headers: WriteHeaders,
        body: CapacityChangeEnd,
        response: { 200: CapacityChangeOutcome, ...errorResponses(404, 409, 412, 413, 415, 422) },
      },
    },
    async (request, reply) => {
      const { plant, id } = request.params;
      assertWithinHorizon(promising, [['body.from', request.body.from], ...repromiseDates(request.body.repromises)]);
      const ifMatch = ifMatchRevision(request.headers);
      const end = (idem?: Parameters<typeof endRangedCapacityChange>[5]['idem']) =>
        endRangedCapacityChange(promising, plant, request.actor, id, request.body, { preview: request.query.preview, ifMatch, idem });
      if (request.query.preview) {
        const preview = await end();
        return reply.header('etag', etag(preview.capacityRevision)).send(preview);
      }
      return idempotent(db, request, reply, clock.now(), 200, async (idem) => {
        const result = await end(idem);
        reply.header('etag', etag(result.capacityRevision));
        return result;
      });
    },
  );
};

const repromiseDates = (items: readonly { promiseDate: string }[] | undefined) =>
  (items ?? []).map((r, i) => [`body.repromises[${i}].promiseDate`, r.promiseDate] as const);
