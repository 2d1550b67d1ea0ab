import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  changeWebhook,
  createWebhookSubscription,
  deleteWebhook,
  getWebhook,
  listWebhooks,
  openStoredAnswer,
  pauseWebhook,
  replayWebhook,
  resumeWebhook,
  webhookDeliveries,
} from '../../domain/webhooks/subscriptions.ts';
import { PlantParams } from '../../schemas/common.ts';
import { errorResponses } from '../../schemas/problem.ts';
import {
  DeliveriesQuery,
  DeliveryPage,
  Webhook,
  WebhookCreate,
  WebhookCreated,
  WebhookList,
  WebhookParams,
  WebhookPatch,
  WebhookReplay,
} from '../../schemas/webhooks.ts';
import { idempotent, IdempotencyHeaders } from '../idempotency.ts';
import type { RouteDeps } from '../route-deps.ts';

const integrators = { roles: ['admin', 'erp'] as const };
const tags = ['webhooks'];

export const webhookRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { db, clock, webhooks }) => {
  app.post(
    '/v1/plants/:plant/webhooks',
    {
      config: integrators,
      schema: {
        operationId: 'createWebhookSubscription',
        tags,
        summary: 'Subscribe a URL to the plant’s events (signed webhooks)',
        description:
          'Events of the listed types are POSTed to `url` in event-sequence order, at least once, signed the Standard Webhooks way (`webhook-id` = the event id, `webhook-timestamp`, `webhook-signature`). The answer carries the signing secret, the only time it is shown (send `secret` to choose it). Delivery starts with the plant’s next event, or with `fromSeq`. Loopback and private targets are refused (400) unless allow-listed by the operator. 503 when the service has no key to store secrets encrypted.',
        params: PlantParams,
        headers: IdempotencyHeaders,
        body: WebhookCreate,
        response: { 201: WebhookCreated, ...errorResponses(404, 413, 415, 422) },
      },
    },
    async (request, reply) =>
      idempotent(
        db,
        request,
        reply,
        clock.now(),
        201,
        (idem) => createWebhookSubscription(webhooks, request.params.plant, request.actor, request.body, idem),
        (body) => openStoredAnswer(webhooks, body),
      ),
  );

  app.get(
    '/v1/plants/:plant/webhooks',
    {
      config: integrators,
      schema: {
        operationId: 'listWebhookSubscriptions',
        tags,
        summary: 'List the plant’s webhook subscriptions (never their secrets)',
        description: 'Oldest first, with each one’s status, cursor and retry state.',
        params: PlantParams,
        response: { 200: WebhookList, ...errorResponses(404) },
      },
    },
    async (request) => listWebhooks(webhooks, request.params.plant),
  );

  app.get(
    '/v1/plants/:plant/webhooks/:id',
    {
      config: integrators,
      schema: {
        operationId: 'getWebhookSubscription',
        tags,
        summary: 'Get a webhook subscription (never its secret)',
        description:
          '`cursor` is the last event sequence it is done with; `consecutiveFailures`, `nextAttemptAt` and `lastError` show a retry in progress.',
        params: WebhookParams,
        response: { 200: Webhook, ...errorResponses(404) },
      },
    },
    async (request) => getWebhook(webhooks, request.params.plant, request.params.id),
  );

  app.patch(
    '/v1/plants/:plant/webhooks/:id',
    {
      config: integrators,
      schema: {
        operationId: 'updateWebhookSubscription',
        tags,
        summary: 'Change a subscription’s URL, event types, description or secret',
        description: 'The cursor and status are kept. A new `secret` signs every delivery from now on and is never shown back.',
        params: WebhookParams,
        body: WebhookPatch,
        response: { 200: Webhook, ...errorResponses(404, 413, 415) },
      },
    },
    async (request) => changeWebhook(webhooks, request.params.plant, request.actor, request.params.id, request.body),
  );

  app.delete(
    '/v1/plants/:plant/webhooks/:id',
    {
      config: integrators,
      schema: {
        operationId: 'deleteWebhookSubscription',
        tags,
        summary: 'Delete a webhook subscription and its delivery log',
        description: 'Nothing more is sent to it; an attempt in flight may still arrive.',
        params: WebhookParams,
        response: { 204: z.null().describe('Deleted'), ...errorResponses(404) },
      },
    },
    async (request, reply) => {
      await deleteWebhook(webhooks, request.params.plant, request.actor, request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/v1/plants/:plant/webhooks/:id/pause',
    {
      config: integrators,
      schema: {
        operationId: 'pauseWebhookSubscription',
        tags,
        summary: 'Pause deliveries (the cursor is kept)',
        description: 'Events keep accumulating after the cursor; resume delivers them in order.',
        params: WebhookParams,
        response: { 200: Webhook, ...errorResponses(404) },
      },
    },
    async (request) => pauseWebhook(webhooks, request.params.plant, request.actor, request.params.id),
  );

  app.post(
    '/v1/plants/:plant/webhooks/:id/resume',
    {
      config: integrators,
      schema: {
        operationId: 'resumeWebhookSubscription',
        tags,
        summary: 'Resume a paused subscription from its cursor',
        description:
          'Also after an automatic pause (`pausedReason: failures`): the failure count is reset and the event that failed is sent first, so order is kept.',
        params: WebhookParams,
        response: { 200: Webhook, ...errorResponses(404) },
      },
    },
    async (request) => resumeWebhook(webhooks, request.params.plant, request.actor, request.params.id),
  );

  app.post(
    '/v1/plants/:plant/webhooks/:id/replay',
    {
      config: integrators,
      schema: {
        operationId: 'replayWebhookSubscription',
        tags,
        summary: 'Deliver again from an event sequence',
        description:
          'Sets the cursor so delivery continues with event `fromSeq` (of the subscribed types), in order; the status is kept (resume a paused one to start it). Receivers see the same `webhook-id`s again and dedupe by them.',
        params: WebhookParams,
        body: WebhookReplay,
        response: { 200: Webhook, ...errorResponses(404, 413, 415) },
      },
    },
    async (request) => replayWebhook(webhooks, request.params.plant, request.actor, request.params.id, request.body.fromSeq),
  );

  app.get(
    '/v1/plants/:plant/webhooks/:id/deliveries',
    {
      config: integrators,
      schema: {
        operationId: 'listWebhookDeliveries',
        tags,
        summary: 'The subscription’s delivery attempts, newest first',
        description: 'One entry per attempt: the event, the receiver’s status or the error, and how long it took. Paged with `before`.',
        params: WebhookParams,
        querystring: DeliveriesQuery,
        response: { 200: DeliveryPage, ...errorResponses(404) },
      },
    },
    async (request) => webhookDeliveries(webhooks, request.params.plant, request.params.id, request.query),
  );
};
