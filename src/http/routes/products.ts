import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { getProduct, listProducts, putProduct } from '../../domain/products.ts';
import { PlantParams } from '../../schemas/common.ts';
import { Product, ProductParams, ProductPut, ProductPutResult } from '../../schemas/master-data.ts';
import { errorResponses } from '../../schemas/problem.ts';
import type { RouteDeps } from '../route-deps.ts';

const readers = { roles: ['admin', 'planner', 'sales', 'erp', 'floor'] as const };

export const productRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { db, promising }) => {
  app.put(
    '/v1/plants/:plant/products/:sku',
    {
      config: { roles: ['admin'] },
      schema: {
        operationId: 'putProduct',
        tags: ['master data'],
        summary: 'Create or replace a product and its routing',
        description:
          "The routing is the ordered list of operations; each names a resource of the plant, its setup minutes and run minutes per unit. An order's drum load = setup + quantity × run on the drum operation(s). Optional per-product buffer and lead-time overrides. The effective lead time (the floor of every quote) is max(standard lead time, production buffer), each the product's own or else the plant's; an explicit lead time below the production buffer is a 400. `effectiveLeadTimeChanges` lists the products whose effective lead time this write moved.",
        params: ProductParams,
        body: ProductPut,
        response: { 200: ProductPutResult, 201: ProductPutResult, ...errorResponses(404, 413, 415) },
      },
    },
    async (request, reply) => {
      const result = await putProduct(promising, request.actor, request.params.plant, request.params.sku, request.body);
      return reply.code(result.created ? 201 : 200).send({ ...result.product, effectiveLeadTimeChanges: result.effectiveLeadTimeChanges });
    },
  );

  app.get(
    '/v1/plants/:plant/products',
    {
      config: readers,
      schema: {
        operationId: 'listProducts',
        tags: ['master data'],
        summary: 'List products',
        description: 'Every product of the plant with its routing and buffer overrides.',
        params: PlantParams,
        response: { 200: z.object({ items: z.array(Product) }), ...errorResponses(404) },
      },
    },
    async (request) => ({ items: await listProducts(db, request.params.plant) }),
  );

  app.get(
    '/v1/plants/:plant/products/:sku',
    {
      config: readers,
      schema: {
        operationId: 'getProduct',
        tags: ['master data'],
        summary: 'Get a product',
        description: 'A product with its routing (operations in order: resource and minutes per unit) and its buffer overrides.',
        params: ProductParams,
        response: { 200: Product, ...errorResponses(404) },
      },
    },
    async (request) => getProduct(db, request.params.plant, request.params.sku),
  );
};
