import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { assertWithinHorizon } from '../../domain/planning-horizon.ts';
import { z } from 'zod';
import { pushOrder } from '../../domain/promising/erp-push.ts';
import { createOrder, getOrder, getOrderByExternalId, listOrders } from '../../domain/promising/orders.ts';
import { PlantParams, text } from '../../schemas/common.ts';
import { plainJson } from '../plain-json.ts';
import { errorResponses } from '../../schemas/problem.ts';
import {
  ErpPush,
  ExternalIdParams,
  Order,
  OrderCreate,
  OrderList,
  OrderListQuery,
  OrderParams,
  OrderPlan,
  PlantPlan,
} from '../../schemas/promising.ts';
import { getOrderPlan, getPlantPlan } from '../../domain/promising/order-plan.ts';
import { cancelOrderOfferingRevocations } from '../../domain/planning/capacity-request-revocations.ts';
import { CancelledOrder } from '../../schemas/capacity-requests.ts';
import type { RouteDeps } from '../route-deps.ts';
import { idempotent, IdempotencyHeaders } from '../idempotency.ts';

const readers = { roles: ['sales', 'planner', 'erp'] as const };
/** One order and its plan: the floor reads them from the boards. */
const withFloor = { roles: ['sales', 'planner', 'erp', 'floor'] as const };

export const orderRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { db, clock, promising }) => {
  app.post(
    '/v1/plants/:plant/orders',
    {
      config: { roles: ['sales', 'planner'] },
      // The write path's hot route: orderView builds exactly the schema's fields (typed by the
      // provider), so the runtime zod re-validation of each answer is skipped (see quotes.ts).
      serializerCompiler: plainJson,
      schema: {
        operationId: 'createOrder',
        tags: ['promising'],
        summary: 'Create a confirmed order for a promise date (quote, reserve and confirm in one step)',
        description:
          '201 with the order when the schedule can keep `promiseDate`; otherwise 409 `schedule-infeasible` with the earliest date and the capacity needed. Nothing is written on a refusal.',
        params: PlantParams,
        headers: IdempotencyHeaders,
        body: OrderCreate,
        response: { 201: Order, ...errorResponses(404, 409, 413, 415, 422) },
      },
    },
    async (request, reply) => {
      assertWithinHorizon(promising, [
        ['body.promiseDate', request.body.promiseDate],
        ['body.materialAvailableDate', request.body.materialAvailableDate],
      ]);
      return idempotent(db, request, reply, clock.now(), 201, (idem) =>
        createOrder(promising, request.params.plant, request.actor, request.body, idem),
      );
    },
  );

  app.put(
    '/v1/plants/:plant/orders/by-external-id/:externalId',
    {
      config: { roles: ['erp'] },
      schema: {
        operationId: 'pushOrder',
        tags: ['promising'],
        summary: 'Push an order from the ERP (idempotent by external id)',
        description:
          'New external id: 201 when the schedule can keep `promiseDate`. The same body again: 200 and no new schedule version. A changed quantity, product or date is rescheduled under the same rule: 200, or 409 `schedule-infeasible` leaving the order as it was. The ERP never gets a silent "accepted but late". A later date is a re-promise by the ERP (`order.repromised` with initiator `erp` and the optional `reason`, beside `order.updated`); an earlier date or a new quantity or product is counted as the customer\'s change (`order.updated` with `change: customer-change`).',
        params: ExternalIdParams,
        body: ErpPush,
        response: { 200: Order, 201: Order, ...errorResponses(404, 409, 413, 415) },
      },
    },
    async (request, reply) => {
      const { order, created } = await pushOrder(promising, request.params.plant, request.actor, request.params.externalId, request.body);
      return reply.code(created ? 201 : 200).send(order);
    },
  );

  app.get(
    '/v1/plants/:plant/orders/by-external-id/:externalId',
    {
      config: readers,
      schema: {
        operationId: 'getOrderByExternalId',
        tags: ['promising'],
        summary: 'Get an order by its external id (the ERP reads by the key it pushes with)',
        description:
          "The same view as by id. A sales key sees only the orders it placed: another owner's order is 404, word for word as an unknown external id.",
        params: ExternalIdParams,
        response: { 200: Order, ...errorResponses(404) },
      },
    },
    async (request) => getOrderByExternalId(promising, request.params.plant, request.actor, request.params.externalId),
  );

  app.get(
    '/v1/plants/:plant/orders',
    {
      config: readers,
      schema: {
        operationId: 'listOrders',
        tags: ['promising'],
        summary: 'List orders (cursor pagination)',
        description: 'A sales key sees the holds and orders it placed; planners and ERP keys see all of the plant.',
        params: PlantParams,
        querystring: OrderListQuery,
        response: { 200: OrderList, ...errorResponses(404) },
      },
    },
    async (request) => listOrders(promising, request.params.plant, request.actor, request.query),
  );

  app.get(
    '/v1/plants/:plant/orders/:id',
    {
      config: withFloor,
      schema: {
        operationId: 'getOrder',
        tags: ['promising'],
        summary: 'Get an order or hold',
        description:
          'An order or hold with its promise, drum deadline, status, buffer zone and at-risk flag. Sales keys see only the orders they own.',
        params: OrderParams,
        response: { 200: Order, ...errorResponses(404) },
      },
    },
    async (request) => getOrder(promising, request.params.plant, request.actor, request.params.id),
  );

  app.get(
    '/v1/plants/:plant/orders/:id/plan',
    {
      config: withFloor,
      schema: {
        operationId: 'getOrderPlan',
        tags: ['promising'],
        summary: "An open order's plan: an interval per operation on its resource's own calendar",
        description:
          'The plan every promise comes with: in routing order, the first operation no earlier than the release, no two operations overlapping on a resource, the drum operation and the last operation done by `shipReadyBy`.',
        params: OrderParams,
        response: { 200: OrderPlan.extend({ scheduleVersion: z.number().int() }), ...errorResponses(404) },
      },
    },
    async (request) => getOrderPlan(promising, request.params.plant, request.actor, request.params.id),
  );

  app.get(
    '/v1/plants/:plant/plan',
    {
      config: { roles: ['planner'] },
      schema: {
        operationId: 'getPlan',
        tags: ['planning'],
        summary: "Every open order's plan, in drum sequence (the timeline of every resource)",
        description:
          "Every open order's published plan (an interval per operation on its resource's calendar), in drum sequence: the timeline of every resource.",
        params: PlantParams,
        response: { 200: PlantPlan, ...errorResponses(404) },
      },
    },
    async (request) => getPlantPlan(promising, request.params.plant),
  );

  app.post(
    '/v1/plants/:plant/orders/:id/cancel',
    {
      config: { roles: ['sales', 'planner', 'erp'] },
      schema: {
        operationId: 'cancelOrder',
        tags: ['promising'],
        summary: 'Cancel an open order or hold',
        description:
          'Its drum capacity returns; an `order.cancelled` event is written. When an accepted capacity request added capacity for this order (the hold it moved, or the quote it was held from) that is still in force, the answer offers to take it back (`offeredRevocations`: what revoking each change would do now); nothing is revoked.',
        params: OrderParams,
        body: z.strictObject({ reason: text.max(500).optional() }).optional(),
        response: { 200: CancelledOrder, ...errorResponses(404, 409, 413, 415) },
      },
    },
    async (request) =>
      cancelOrderOfferingRevocations(promising, request.params.plant, request.actor, request.params.id, request.body?.reason),
  );
};
