import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { assertWithinHorizon } from '../../domain/planning-horizon.ts';
import { acceptCapacityRequest } from '../../domain/planning/capacity-request-accept.ts';
import {
  closeCapacityRequest,
  fileCapacityRequest,
  getCapacityRequest,
  listPlantCapacityRequests,
} from '../../domain/planning/capacity-requests.ts';
import {
  CapacityRequest,
  CapacityRequestAccept,
  CapacityRequestAccepted,
  CapacityRequestCreate,
  CapacityRequestDecline,
  CapacityRequestList,
  CapacityRequestListQuery,
  CapacityRequestParams,
  CapacityRequestWithdraw,
} from '../../schemas/capacity-requests.ts';
import { PlantParams } from '../../schemas/common.ts';
import { errorResponses } from '../../schemas/problem.ts';
import { ifMatchRevision, IfMatchHeaders } from '../etag.ts';
import { idempotent, IdempotencyHeaders } from '../idempotency.ts';
import type { RouteDeps } from '../route-deps.ts';

const tags = ['Capacity requests'];
const etag = (revision: number) => `"${revision}"`;

/** Issue 15 item 4: the salesperson's way to ask for the price of a date, and the planner's inbox. */
export const capacityRequestRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { db, clock, promising }) => {
  app.post(
    '/v1/plants/:plant/capacity-requests',
    {
      config: { roles: ['sales', 'planner'] },
      schema: {
        operationId: 'createCapacityRequest',
        tags,
        summary: 'Ask a planner for the capacity that would buy a refused date',
        description:
          'From a refused quote (`quoteId`, optional) or to move a live hold of yours earlier (`orderId`): the schedule is asked again now, and the request is filed with the proposals it computes now (never ones sent by the client), which the planner sees priced and a salesperson without costs. A date the schedule can keep now is a 409 `requested-date-keepable` (nothing to ask: hold it); a date inside the standard lead time is a 409 `schedule-infeasible` (capacity cannot buy it). Another salesperson’s hold is a 404; a 21st open request of one caller in the plant a 409 `conflict` (withdraw one). Cancelling the hold, or its expiry, withdraws the request. Writes `capacity-request.filed`, which the salesperson sees in `GET /v1/me/events`.',
        params: PlantParams,
        headers: IdempotencyHeaders,
        body: CapacityRequestCreate,
        response: { 201: CapacityRequest, ...errorResponses(404, 409, 413, 415, 422) },
      },
    },
    async (request, reply) => {
      assertWithinHorizon(promising, [['body.requestedDate', request.body.requestedDate]]);
      return idempotent(db, request, reply, clock.now(), 201, (idem) =>
        fileCapacityRequest(promising, request.params.plant, request.actor, request.body, idem),
      );
    },
  );

  app.get(
    '/v1/plants/:plant/capacity-requests',
    {
      config: { roles: ['sales', 'planner', 'admin'] },
      schema: {
        operationId: 'listCapacityRequests',
        tags,
        summary: 'The capacity requests inbox (a salesperson: their own)',
        description: 'Newest first, at most `limit`; `status=open` is the planner’s inbox. Costs for planners and admins only.',
        params: PlantParams,
        querystring: CapacityRequestListQuery,
        response: { 200: CapacityRequestList, ...errorResponses(404) },
      },
    },
    async (request) => listPlantCapacityRequests(promising, request.params.plant, request.actor, request.query),
  );

  app.get(
    '/v1/plants/:plant/capacity-requests/:id',
    {
      config: { roles: ['sales', 'planner', 'admin'] },
      schema: {
        operationId: 'getCapacityRequest',
        tags,
        summary: 'One capacity request',
        description: 'Another salesperson’s request is a 404, word for word as a missing one.',
        params: CapacityRequestParams,
        response: { 200: CapacityRequest, ...errorResponses(404) },
      },
    },
    async (request) => getCapacityRequest(promising, request.params.plant, request.actor, request.params.id),
  );

  app.post(
    '/v1/plants/:plant/capacity-requests/:id/accept',
    {
      config: { roles: ['planner'], etag: true },
      schema: {
        operationId: 'acceptCapacityRequest',
        tags,
        summary: 'Accept a capacity request: apply a proposal as capacity changes',
        description:
          'Applies the proposal `proposalIndex` (default 0) of the request, or the planner’s own `blocks`, as capacity changes (one per resource and kind, linked to the request and its order) in one transaction with the request’s acceptance. The proposal is checked against the live plan first: when a block can no longer be added (in the past, already worked) or the blocks no longer make the requested date keepable, 409 `capacity-request-stale` says why and carries the proposals that would work now; nothing is written. A date keepable now without capacity is a 409 `requested-date-keepable`; a request whose order is no longer live a 409 `capacity-request-closed`. Planner `blocks` that end before they start, overlap, or fall outside the planning horizon are a 400 naming `body.blocks[i]`; a block that would add no working minute is left out and named in `skippedDays` (not in `request.acceptedBlocks`). A held order of the request is then re-promised to the requested date (`order.repromised`, initiator customer); an order no longer open stays, and `order.note` says why. A quote’s salesperson holds the date anew. `If-Match` with the capacity revision as for capacity changes (412). Writes `capacity.changed` and `capacity-request.accepted`.',
        params: CapacityRequestParams,
        headers: IfMatchHeaders,
        body: CapacityRequestAccept,
        response: { 200: CapacityRequestAccepted, ...errorResponses(404, 409, 412, 413, 415) },
      },
    },
    async (request, reply) => {
      const { plant, id } = request.params;
      assertWithinHorizon(
        promising,
        (request.body.blocks ?? []).map((b, i) => [`body.blocks[${i}].date`, b.date] as const),
      );
      const result = await acceptCapacityRequest(promising, plant, request.actor, id, request.body, ifMatchRevision(request.headers));
      return reply.header('etag', etag(result.capacityRevision)).send(result);
    },
  );

  app.post(
    '/v1/plants/:plant/capacity-requests/:id/decline',
    {
      config: { roles: ['planner'] },
      schema: {
        operationId: 'declineCapacityRequest',
        tags,
        summary: 'Decline a capacity request, with a reason',
        description: 'The salesperson sees the reason in `capacity-request.declined`. A request no longer open is a 409.',
        params: CapacityRequestParams,
        body: CapacityRequestDecline,
        response: { 200: CapacityRequest, ...errorResponses(404, 409, 413, 415) },
      },
    },
    async (request) =>
      closeCapacityRequest(promising, request.params.plant, request.actor, request.params.id, {
        status: 'declined',
        reason: request.body.reason,
      }),
  );

  app.post(
    '/v1/plants/:plant/capacity-requests/:id/withdraw',
    {
      config: { roles: ['sales', 'planner'] },
      schema: {
        operationId: 'withdrawCapacityRequest',
        tags,
        summary: 'Withdraw a capacity request (the salesperson who filed it, or a planner)',
        description: 'Writes `capacity-request.withdrawn`. Another salesperson’s request is a 404; one no longer open a 409.',
        params: CapacityRequestParams,
        body: CapacityRequestWithdraw,
        response: { 200: CapacityRequest, ...errorResponses(404, 409, 413, 415) },
      },
    },
    async (request) =>
      closeCapacityRequest(promising, request.params.plant, request.actor, request.params.id, {
        status: 'withdrawn',
        reason: request.body?.reason,
      }),
  );
};
