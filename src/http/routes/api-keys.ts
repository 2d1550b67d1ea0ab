import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { createApiKeyAs, listApiKeysFor, revokeApiKeyAs } from '../../domain/api-keys.ts';
import { notFound } from '../../domain/errors.ts';
import { ApiKey, ApiKeyCreate, ApiKeyCreated } from '../../schemas/api-keys.ts';
import { text } from '../../schemas/common.ts';
import { errorResponses } from '../../schemas/problem.ts';
import type { RouteDeps } from '../route-deps.ts';

const admin = { roles: ['admin'] as const };

export const apiKeyRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { db, clock, keys }) => {
  app.post(
    '/v1/api-keys',
    {
      config: admin,
      schema: {
        operationId: 'createApiKey',
        tags: ['api keys'],
        summary: 'Create an API key',
        description:
          'Returns the secret once. Only a hash is stored; a lost key is revoked and replaced. An admin key limited to plants may only create keys limited to some of its own plants.',
        body: ApiKeyCreate,
        response: { 201: ApiKeyCreated, ...errorResponses(413, 415) },
      },
    },
    async (request, reply) => {
      const k = await createApiKeyAs(db, request.actor, {
        name: request.body.name,
        role: request.body.role,
        principal: request.body.principal,
        plantIds: request.body.plants ?? null,
      });
      return reply.code(201).send({ ...k, plants: k.plantIds, createdAt: k.createdAt.toISOString() });
    },
  );

  app.get(
    '/v1/api-keys',
    {
      config: admin,
      schema: {
        operationId: 'listApiKeys',
        tags: ['api keys'],
        summary: 'List API keys (never their secrets)',
        description: 'An admin key limited to plants sees only the keys limited to some of its own plants.',
        response: { 200: z.object({ items: z.array(ApiKey) }), ...errorResponses() },
      },
    },
    async (request) => ({
      items: (await listApiKeysFor(db, request.actor)).map((k) => ({
        id: k.id,
        name: k.name,
        role: k.role,
        principal: k.principal,
        plants: k.plantIds,
        createdAt: k.createdAt.toISOString(),
        revokedAt: k.revokedAt?.toISOString() ?? null,
      })),
    }),
  );

  app.delete(
    '/v1/api-keys/:id',
    {
      config: admin,
      schema: {
        operationId: 'revokeApiKey',
        tags: ['api keys'],
        summary: 'Revoke an API key',
        description: 'An admin key limited to plants may revoke only keys limited to some of its own plants; any other key is a 404 to it.',
        params: z.strictObject({ id: text.max(100) }),
        response: { 204: z.null().describe('Revoked'), ...errorResponses(404) },
      },
    },
    async (request, reply) => {
      if (!(await revokeApiKeyAs(db, request.actor, request.params.id, clock.now())))
        throw notFound(`Active API key "${request.params.id}"`);
      keys.forget(request.params.id);
      return reply.code(204).send(null);
    },
  );
};
