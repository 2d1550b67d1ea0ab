import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { assertWithinHorizon } from '../../domain/planning-horizon.ts';
import { PlantParams } from '../../schemas/common.ts';
import { errorResponses } from '../../schemas/problem.ts';
import { QuoteRequest } from '../../schemas/promising.ts';
import { plainJson, SMALL_BODY_LIMIT } from '../plain-json.ts';
import type { RouteDeps } from '../route-deps.ts';

/**
 * POST …/noop, the benchmark's HTTP floor: the quote's authentication, validation and
 * serialisation, without its database or engine work (bench/scenarios/quote.ts compares the
 * two). Registered only when BENCH_FLOOR=on, and then part of the contract like any route.
 */
export const benchFloorRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { promising }) => {
  app.post(
    '/v1/plants/:plant/noop',
    {
      config: { roles: ['sales', 'planner', 'erp'] },
      serializerCompiler: plainJson,
      bodyLimit: SMALL_BODY_LIMIT,
      schema: {
        tags: ['health'],
        summary: 'Validates a quote request and answers without computing (the benchmark floor)',
        description: 'Same authentication and validation as a quote; no database or engine work. Used to measure the HTTP floor.',
        params: PlantParams,
        body: QuoteRequest,
        response: { 200: QuoteRequest, ...errorResponses(413, 415) },
      },
    },
    async (request) => {
      assertWithinHorizon(promising, [
        ['body.requestedDate', request.body.requestedDate],
        ['body.materialAvailableDate', request.body.materialAvailableDate],
      ]);
      return request.body;
    },
  );
};
