import { Readable } from 'node:stream';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { eventExport } from '../../domain/retention/event-export.ts';
import { eraseCustomer } from '../../domain/retention/customer-erasure.ts';
import { PlantParams } from '../../schemas/common.ts';
import { CustomerErasure, CustomerErasureBody, EventExportQuery } from '../../schemas/data-care.ts';
import { errorResponses } from '../../schemas/problem.ts';
import type { RouteDeps } from '../route-deps.ts';

const admins = { roles: ['admin'] as const };

/** Retention and data care (issue 16 item 5); see docs/operations.md. */
export const dataCareRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { promising }) => {
  app.post(
    '/v1/plants/:plant/customer-erasures',
    {
      config: admins,
      schema: {
        operationId: 'eraseCustomer',
        tags: ['data care'],
        summary: "Erase a customer's name: a pseudonym in its orders, events and quote records",
        description:
          "Replaces the name, exactly as given, by a fresh pseudonym (`customer-` and 12 hex digits) in the plant's orders, its event log (`customer`, and `before`/`after.customer` of ERP updates), its quote records and their per-day counts, and stored idempotent answers, in one transaction. A `customer.erased` event records the pseudonym and the counts, not the name. The same pseudonym everywhere keeps the KPIs per customer whole. Free-text fields (reasons) are not searched. 404 when nothing in the plant names the customer (nothing is written, so repeating an erasure is harmless).",
        params: PlantParams,
        body: CustomerErasureBody,
        response: { 200: CustomerErasure, ...errorResponses(404, 413, 415) },
      },
    },
    async (request) => eraseCustomer(promising, request.params.plant, request.actor, request.body.customer),
  );

  app.get(
    '/v1/plants/:plant/events/export',
    {
      config: admins,
      schema: {
        operationId: 'exportEvents',
        tags: ['data care'],
        summary: 'Archive: the events before an instant, as NDJSON',
        description:
          "Every event of the plant that happened before `before` (and after sequence `after`), oldest first, one JSON object a line in the event feed's item shape, streamed (`application/x-ndjson`). Resume an interrupted export with `after` = the last `seq` received. Events are not deleted: the feed's cursors stay valid (see docs/operations.md).",
        params: PlantParams,
        querystring: EventExportQuery,
        response: {
          200: {
            description: 'One event a line, as the items of `GET …/events`',
            content: { 'application/x-ndjson': { schema: z.string() } },
          },
          ...errorResponses(404),
        },
      },
    },
    async (request, reply) => {
      const lines = await eventExport(promising, request.params.plant, new Date(request.query.before), request.query.after);
      // A stream is sent as it is (no serializer); the schema only documents the body.
      return reply.type('application/x-ndjson; charset=utf-8').send(Readable.from(lines) as unknown as string);
    },
  );
};
