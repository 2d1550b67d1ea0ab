import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { assertWithinHorizon } from '../../domain/planning-horizon.ts';
import { applyBufferSuggestion, bufferSuggestions } from '../../domain/planning/dbm.ts';
import { kpis } from '../../domain/planning/kpis.ts';
import { resourceLoad } from '../../domain/planning/load.ts';
import { quoteRecords } from '../../domain/planning/quote-records.ts';
import { PlantParams } from '../../schemas/common.ts';
import {
  BufferChange,
  BufferSuggestionApply,
  BufferSuggestions,
  KpiQuery,
  KpiResponse,
  LoadQuery,
  LoadResponse,
  QuoteList,
  QuoteListQuery,
} from '../../schemas/planning-reports.ts';
import { errorResponses } from '../../schemas/problem.ts';
import type { RouteDeps } from '../route-deps.ts';

const readers = { roles: ['planner', 'erp'] as const };

export const planningReportRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { promising }) => {
  app.get(
    '/v1/plants/:plant/load',
    {
      config: readers,
      schema: {
        operationId: 'getLoad',
        tags: ['planning'],
        summary: 'Load per resource and day or week against calendar capacity',
        description:
          'From the published plans (GET …/plan): every resource’s load in a day or week is the working minutes of its planned intervals in it, on its own calendar, so an operation spanning several days loads each day with the minutes it works there — the same numbers the quote plans with. Non-drum resources above `threshold` in some period are flagged as possible wandering bottlenecks. Per resource, usable capacity: the free minutes after now in stretches at least as long as its median planned operation.',
        params: PlantParams,
        querystring: LoadQuery,
        response: { 200: LoadResponse, ...errorResponses(404, 409) },
      },
    },
    async (request) => {
      assertWithinHorizon(promising, [
        ['querystring.from', request.query.from],
        ['querystring.to', request.query.to],
      ]);
      return resourceLoad(promising, request.params.plant, request.query);
    },
  );

  app.get(
    '/v1/plants/:plant/kpis',
    {
      config: { roles: ['planner', 'admin'] },
      schema: {
        operationId: 'getKpis',
        tags: ['planning'],
        summary: 'Promise KPIs over local dates [from, to], per period and group',
        description:
          'Promises kept % against the original promise (the first confirmed date) and against the latest (by ship date), quoted lead time (mean, 90th percentile, calendar days), re-promises by initiator (plant, customer, erp) and ERP customer changes, quotes answered and converted into confirmed orders (linked by `quoteId`, never above 100 %), orders by buffer zone at completion, WIP (released, not completed) and flow times (entry → shipment, release → completion). `granularity` and `groupBy` add a `breakdown`.',
        params: PlantParams,
        querystring: KpiQuery,
        response: { 200: KpiResponse, ...errorResponses(404, 409) },
      },
    },
    async (request) => {
      assertWithinHorizon(promising, [
        ['querystring.from', request.query.from],
        ['querystring.to', request.query.to],
      ]);
      return kpis(promising, request.params.plant, request.query);
    },
  );

  app.get(
    '/v1/plants/:plant/quotes',
    {
      config: { roles: ['planner', 'admin'] },
      schema: {
        operationId: 'listQuotes',
        tags: ['planning'],
        summary: 'The recorded quotes answered on local dates [from, to], paged',
        description:
          'Oldest first. Filters: `sku`, `customer` (as given on the quote), `salesperson` (the principal that asked), `converted` (a confirmed order names the quote by `quoteId`). Quotes are recorded off the request path; the list includes every quote answered by this process so far.',
        params: PlantParams,
        querystring: QuoteListQuery,
        response: { 200: QuoteList, ...errorResponses(404) },
      },
    },
    async (request) => quoteRecords(promising, request.params.plant, request.query),
  );

  app.get(
    '/v1/plants/:plant/buffer-suggestions',
    {
      config: { roles: ['planner', 'admin'] },
      schema: {
        operationId: 'listBufferSuggestions',
        tags: ['planning'],
        summary: 'Dynamic buffer management: suggested production-buffer changes',
        description:
          'From the penetration orders completed with: grow by ⅓ when more than 10 % completed in red or black; shrink by ⅓ when at least 90 % completed green (none red) over two replenishment periods (2 × PB working days); nothing during the cooling period of one replenishment time after a change, or with fewer than 5 completions.',
        params: PlantParams,
        response: { 200: BufferSuggestions, ...errorResponses(404, 409) },
      },
    },
    async (request) => bufferSuggestions(promising, request.params.plant),
  );

  app.post(
    '/v1/plants/:plant/buffer-suggestions/apply',
    {
      config: { roles: ['planner'] },
      schema: {
        operationId: 'applyBufferSuggestion',
        tags: ['planning'],
        summary: 'Apply a standing buffer suggestion (a reschedule)',
        description:
          'Only the value currently suggested (else 409 with the current suggestions). Orders already promised keep their buffers. Writes `buffer.changed` and starts a cooling period.',
        params: PlantParams,
        body: BufferSuggestionApply,
        response: { 200: BufferChange, ...errorResponses(404, 409, 413, 415) },
      },
    },
    async (request) => applyBufferSuggestion(promising, request.params.plant, request.actor, request.body),
  );
};
