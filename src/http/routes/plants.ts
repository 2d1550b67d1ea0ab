import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { createPlantAs, getPlant, listPlants } from '../../domain/plants.ts';
import { PlantParams } from '../../schemas/common.ts';
import { Plant, PlantCreate } from '../../schemas/master-data.ts';
import { errorResponses } from '../../schemas/problem.ts';
import type { RouteDeps } from '../route-deps.ts';

const admin = { roles: ['admin'] as const };

export const plantRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { db }) => {
  app.post(
    '/v1/plants',
    {
      config: { ...admin, allPlantsOnly: true },
      schema: {
        operationId: 'createPlant',
        tags: ['master data'],
        summary: 'Create a plant',
        description:
          'Creates a plant with a default buffer policy (production buffer 10 working days). Only an admin key for all plants may create plants.',
        body: PlantCreate,
        response: { 201: Plant, ...errorResponses(409, 413, 415) },
      },
    },
    async (request, reply) => reply.code(201).send(await createPlantAs(db, request.actor, request.body)),
  );

  app.get(
    '/v1/plants',
    {
      config: { roles: ['admin', 'planner', 'sales', 'erp', 'floor'] },
      schema: {
        operationId: 'listPlants',
        tags: ['master data'],
        summary: 'List the plants this key may see',
        description: 'The plants the calling key is scoped to (all plants for an unscoped key), with their time zone.',
        response: { 200: z.object({ items: z.array(Plant) }), ...errorResponses() },
      },
    },
    async (request) => ({ items: await listPlants(db, request.actor.plantIds) }),
  );

  app.get(
    '/v1/plants/:plant',
    {
      config: { roles: ['admin', 'planner', 'sales', 'erp', 'floor'] },
      schema: {
        operationId: 'getPlant',
        tags: ['master data'],
        summary: 'Get a plant',
        description: 'A plant with its time zone, drum resource and versions. 404 for a plant the key may not see.',
        params: PlantParams,
        response: { 200: Plant, ...errorResponses(404) },
      },
    },
    async (request) => getPlant(db, request.params.plant),
  );
};
