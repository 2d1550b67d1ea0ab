import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { assertWithinHorizon } from '../../domain/planning-horizon.ts';
import { quote } from '../../domain/promising/quotes.ts';
import { PlantParams } from '../../schemas/common.ts';
import { errorResponses } from '../../schemas/problem.ts';
import { QuoteRequest, QuoteResponse } from '../../schemas/promising.ts';
import { plainJson, SMALL_BODY_LIMIT } from '../plain-json.ts';
import type { RouteDeps } from '../route-deps.ts';

/**
 * The quote is the hot path: its response is typed against the schema at compile time (the
 * type provider checks the handler), so it skips the runtime zod encoding of the response,
 * which costs about as much as the engine work itself (plainJson). The bench's no-op floor (bench-floor.ts) serialises the same way.
 */
export const quoteRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { promising }) => {
  app.post(
    '/v1/plants/:plant/quotes',
    {
      config: { roles: ['sales', 'planner', 'erp'] },
      serializerCompiler: plainJson,
      bodyLimit: SMALL_BODY_LIMIT,
      schema: {
        operationId: 'createQuote',
        tags: ['promising'],
        summary: 'Quote the earliest delivery date the schedule can keep',
        description:
          'No effect on the schedule. `earliestPromiseDate` = max(earliest feasible drum deadline + shipping buffer, today + standard lead time), on a working day in the plant time zone. With `requestedDate`, says whether that date can be kept and, if not, `capacityNeeded`: the extra drum minutes (and by when) that would make it keepable — a planner decision. Every quote is recorded for the promise KPIs.',
        params: PlantParams,
        body: QuoteRequest,
        response: { 200: QuoteResponse, ...errorResponses(404, 409, 413, 415) },
      },
    },
    async (request) => {
      assertWithinHorizon(promising, [
        ['body.requestedDate', request.body.requestedDate],
        ['body.materialAvailableDate', request.body.materialAvailableDate],
      ]);
      return quote(promising, request.params.plant, request.actor, request.body);
    },
  );
};
