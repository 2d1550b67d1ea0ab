import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { assertWithinHorizon } from '../../domain/planning-horizon.ts';
import { completeOrder, releaseOrder, reportProgress, shipOrder } from '../../domain/planning/floor.ts';
import { bufferBoard, releaseList } from '../../domain/planning/floor-views.ts';
import { reportOperationProgress } from '../../domain/planning/operation-progress.ts';
import { repromiseOrder } from '../../domain/planning/repromise.ts';
import { PlantParams } from '../../schemas/common.ts';
import {
  BufferBoard,
  BufferBoardQuery,
  OperationProgressRequest,
  ProgressRequest,
  ReleaseList,
  ReleaseListQuery,
  ReleaseRequest,
  RepromiseRequest,
} from '../../schemas/planning.ts';
import { errorResponses } from '../../schemas/problem.ts';
import { Order, OrderParams } from '../../schemas/promising.ts';
import { z } from 'zod';
import { plainJson } from '../plain-json.ts';
import type { RouteDeps } from '../route-deps.ts';

const floor = { roles: ['planner', 'erp', 'floor'] as const };

export const floorRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { promising }) => {
  const orderPost = (path: string, operationId: string, summary: string, description: string, roles: typeof floor) => ({
    path: `/v1/plants/:plant/orders/:id/${path}`,
    opts: {
      config: roles,
      schema: {
        operationId,
        tags: ['planning'],
        summary,
        description,
        params: OrderParams,
        // No body; an empty object is accepted, anything else is a 400 (the contract says what it takes).
        body: z.strictObject({}).nullish(),
        response: { 200: Order, ...errorResponses(404, 409, 413, 415) },
      },
    },
  });

  app.post(
    '/v1/plants/:plant/orders/:id/repromise',
    {
      config: { roles: ['planner'] },
      schema: {
        operationId: 'repromiseOrder',
        tags: ['planning'],
        summary: 'Re-promise an order to a date the schedule can keep',
        description:
          'Only to a feasible date (every other order stays on time; the lead-time floor does not apply): otherwise 409 `schedule-infeasible` with the earliest date and the capacity needed. Writes an `order.repromised` event with the old and new date, the reason and the initiator (`plant` unless the customer asked). The order keeps its original promise: the KPIs judge it against both.',
        params: OrderParams,
        body: RepromiseRequest,
        response: { 200: Order, ...errorResponses(404, 409, 413, 415) },
      },
    },
    async (request) => {
      assertWithinHorizon(promising, [['body.promiseDate', request.body.promiseDate]]);
      return repromiseOrder(promising, request.params.plant, request.actor, request.params.id, request.body);
    },
  );

  const progress = orderPost(
    'progress',
    'reportDrumProgress',
    'Report drum minutes done (cumulative)',
    'The order is in progress and pinned at the front of the drum; only its remaining minutes load it. Equal to the drum load: the drum operation is finished. The `order.progress` event lists any order the report pushes past its deadline (`madeLate`).',
    floor,
  );
  app.post(progress.path, { ...progress.opts, schema: { ...progress.opts.schema, body: ProgressRequest } }, async (request) =>
    reportProgress(promising, request.params.plant, request.actor, request.params.id, request.body.drumMinutesDone),
  );

  app.post(
    '/v1/plants/:plant/orders/:id/operations/:position/progress',
    {
      config: floor,
      schema: {
        operationId: 'reportOperationProgress',
        tags: ['planning'],
        summary: 'Report progress on one operation (cumulative minutes done, started, completed)',
        description:
          "A fact from the floor, never refused because an order is late. The operation's remaining minutes are planned from the report on (never in the past); when it now ends later than planned, what waits behind it on its resource and later in its route moves later, drum orders made late are re-positioned, and every order now ending after its promised day is at risk in this version (`order.at-risk`, reason `progress-behind`). A completed operation frees its capacity. Without a report the plan is assumed worked. On the drum's position it is the drum report (`drumMinutesDone`). A confirmed order becomes released. A report off the drum on an order whose material was expected later is the fact that it is here: its material date becomes today and it is planned from the report on (the event's `materialExpectedAt`). Event `order.operation-progress` (or `order.progress` on the drum).",
        params: OrderParams.extend({
          // A string bounded like every path parameter (the router's own limit), then the number.
          position: z
            .string()
            .regex(/^[0-9][0-9]{0,3}$/, 'A routing position: 0–9999')
            .transform(Number),
        }),
        body: OperationProgressRequest,
        response: { 200: Order, ...errorResponses(404, 409, 413, 415) },
      },
    },
    async (request) =>
      reportOperationProgress(promising, request.params.plant, request.actor, request.params.id, request.params.position, request.body),
  );

  const complete = orderPost(
    'complete',
    'completeOrder',
    'Report an order completed (ready to ship)',
    'Its remaining drum capacity returns; the buffer penetration at completion is recorded for DBM.',
    floor,
  );
  app.post(complete.path, complete.opts, async (request) =>
    completeOrder(promising, request.params.plant, request.actor, request.params.id),
  );

  const ship = orderPost(
    'ship',
    'shipOrder',
    'Report an order shipped',
    'Closes the order and records whether the promise was kept (shipped on or before the promised local date).',
    floor,
  );
  app.post(ship.path, ship.opts, async (request) => shipOrder(promising, request.params.plant, request.actor, request.params.id));

  const release = orderPost(
    'release',
    'releaseOrder',
    'Mark material released for an order',
    'On or after the local date of the planned release (see the release list). Earlier is allowed only for planners (others: 403) and is flagged in the `order.released` event with the working days early. Never before the order’s material is available (the ERP’s `materialAvailableDate`): 409 `conflict` with `materialAvailableAt`; nothing changes.',
    floor,
  );
  app.post(release.path, { ...release.opts, schema: { ...release.opts.schema, body: ReleaseRequest } }, async (request) =>
    releaseOrder(promising, request.params.plant, request.actor, request.params.id, request.body?.reason),
  );

  app.get(
    '/v1/plants/:plant/release-list',
    {
      config: floor,
      serializerCompiler: plainJson,
      schema: {
        operationId: 'getReleaseList',
        tags: ['planning'],
        summary: 'The rope: material to release by a date, in release order',
        description:
          'Confirmed orders whose planned release (the rope instant stored at commit: the first shift start of the first operation’s resource, PB working days before the promise; legacy orders: planned drum start − ⌈PB/2⌉ working days) is on or before the end of `date` (default today), by planned release then drum sequence, with the planned queue wait and the projected finish; `overdue` when now is past the planned release. Paged on request: `limit` rows from `offset` in this order, `total` and `nextOffset` describe the whole list (without `limit`: the whole list, e.g. `?limit=100`, then `?limit=100&offset=100`).',
        params: PlantParams,
        querystring: ReleaseListQuery,
        response: { 200: ReleaseList, ...errorResponses(404, 409) },
      },
    },
    async (request) => {
      assertWithinHorizon(promising, [['querystring.date', request.query.date]]);
      const { date, limit, offset } = request.query;
      return releaseList(promising, request.params.plant, date, { limit, offset });
    },
  );

  app.get(
    '/v1/plants/:plant/buffer-board',
    {
      config: floor,
      serializerCompiler: plainJson,
      schema: {
        operationId: 'getBufferBoard',
        tags: ['planning'],
        summary: 'Buffer board: released, unfinished orders by buffer penetration',
        description:
          'Penetration % = (PB − left) / PB × 100 in drum working time; zones green < 33 ≤ yellow < 67 ≤ red ≤ 100 < black (or past due). Highest penetration first: the floor works in this order. Paged on request: `limit` cards from `offset` in this order (e.g. `?limit=100`, then `?limit=100&offset=100`); `counts` and `total` are over the whole board, whatever the page (without `limit`: the whole board).',
        params: PlantParams,
        querystring: BufferBoardQuery,
        response: { 200: BufferBoard, ...errorResponses(404, 409) },
      },
    },
    async (request) => {
      const { limit, offset, scope } = request.query;
      return bufferBoard(promising, request.params.plant, { limit, offset }, scope);
    },
  );
};
