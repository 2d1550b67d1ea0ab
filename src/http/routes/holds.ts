import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { assertWithinHorizon } from '../../domain/planning-horizon.ts';
import { z } from 'zod';
import { confirmHold, extendHold, placeHold, releaseHold } from '../../domain/promising/holds.ts';
import { PlantParams } from '../../schemas/common.ts';
import { errorResponses } from '../../schemas/problem.ts';
import { ConfirmRequest, HoldExtend, HoldRequest, Order, OrderParams } from '../../schemas/promising.ts';
import type { RouteDeps } from '../route-deps.ts';
import { idempotent, IdempotencyHeaders } from '../idempotency.ts';

const sellers = { roles: ['sales', 'planner'] as const };

export const holdRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { db, clock, promising }) => {
  app.post(
    '/v1/plants/:plant/holds',
    {
      config: sellers,
      schema: {
        operationId: 'createHold',
        tags: ['promising'],
        summary: 'Hold capacity for a promise date (reschedules)',
        description:
          "Reserves drum capacity by rescheduling. With `promiseDate`, holds that date if the schedule can keep it, else 409 `schedule-infeasible` with the earliest date and the capacity needed. Without it, holds the earliest feasible date. The hold expires by itself at `expiresAt` (TTL from the buffer policy unless `ttlSeconds`) and its capacity returns. The plant's hold policy refuses, with 422 `hold-policy` naming the limit, a `ttlSeconds` above `maxHoldTtlSeconds` and a hold that would take its principal past `holdCapDrumMinutes` drum minutes held at once; nothing is shortened or written.",
        params: PlantParams,
        headers: IdempotencyHeaders,
        body: HoldRequest,
        response: { 201: Order, ...errorResponses(404, 409, 413, 415, 422) },
      },
    },
    async (request, reply) => {
      assertWithinHorizon(promising, [
        ['body.promiseDate', request.body.promiseDate],
        ['body.materialAvailableDate', request.body.materialAvailableDate],
      ]);
      return idempotent(db, request, reply, clock.now(), 201, (idem) =>
        placeHold(promising, request.params.plant, request.actor, request.body, idem),
      );
    },
  );

  app.post(
    '/v1/plants/:plant/holds/:id/confirm',
    {
      config: sellers,
      schema: {
        operationId: 'confirmHold',
        tags: ['promising'],
        summary: 'Confirm a hold into an order',
        description: "The order keeps the hold's place on the drum. Confirming an expired hold is a 409 with the current earliest date.",
        params: OrderParams,
        headers: IdempotencyHeaders,
        body: ConfirmRequest,
        response: { 201: Order, ...errorResponses(404, 409, 413, 415, 422) },
      },
    },
    async (request, reply) =>
      idempotent(db, request, reply, clock.now(), 201, (idem) =>
        confirmHold(promising, request.params.plant, request.actor, request.params.id, request.body, idem),
      ),
  );

  app.delete(
    '/v1/plants/:plant/holds/:id',
    {
      config: sellers,
      schema: {
        operationId: 'releaseHold',
        tags: ['promising'],
        summary: 'Release a hold',
        description: 'Its capacity returns at once.',
        params: OrderParams,
        response: { 204: z.null().describe('Released'), ...errorResponses(404, 409) },
      },
    },
    async (request, reply) => {
      await releaseHold(promising, request.params.plant, request.actor, request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/v1/plants/:plant/holds/:id/extend',
    {
      config: { roles: ['planner'] },
      schema: {
        operationId: 'extendHold',
        tags: ['promising'],
        summary: 'Extend a hold (planner decision)',
        description:
          "Moves a live hold's expiry later, to `expiresAt` (beyond the policy's maximum TTL if the planner decides so), recorded with a reason as a `hold.extended` event. The hold keeps its place on the drum. An expired or confirmed hold is a 409.",
        params: OrderParams,
        body: HoldExtend,
        response: { 200: Order, ...errorResponses(404, 409, 413, 415) },
      },
    },
    async (request) => extendHold(promising, request.params.plant, request.actor, request.params.id, request.body),
  );
};
