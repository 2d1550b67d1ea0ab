import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { assertWithinHorizon } from '../../domain/planning-horizon.ts';
import { operationDates } from '../../domain/scenarios/scenario-operations.ts';
import {
  changeScenario,
  createScenario,
  deleteScenario,
  EvaluationCache,
  getScenario,
  listScenarios,
  promoteScenario,
  scenarioEvaluation,
  type ScenarioDeps,
} from '../../domain/scenarios/scenarios.ts';
import { PlantParams } from '../../schemas/common.ts';
import { errorResponses } from '../../schemas/problem.ts';
import {
  EvaluationQuery,
  Scenario,
  ScenarioChange,
  ScenarioCreate,
  ScenarioEvaluation,
  ScenarioList,
  ScenarioParams,
  ScenarioPromotion,
} from '../../schemas/scenarios.ts';
import { ifMatchRevision, IfMatchHeaders } from '../etag.ts';
import { idempotent, IdempotencyHeaders } from '../idempotency.ts';
import type { RouteDeps } from '../route-deps.ts';

const tags = ['scenarios'];
const planners = { roles: ['planner'] as const };
const readers = { roles: ['planner', 'admin'] as const };
const etag = (revision: number) => `"${revision}"`;

const example = {
  name: 'Second shift in December',
  operations: [
    {
      type: 'capacity-change',
      change: {
        resource: 'cnc',
        kind: 'extra_shift',
        from: '2026-11-30',
        to: '2026-12-18',
        weekdays: [1, 2, 3, 4, 5],
        start: '14:00',
        end: '22:00',
        reason: 'winter backlog',
      },
    },
    { type: 'hypothetical-order', sku: 'P1', quantity: 200, requestedDate: '2026-12-10' },
  ],
};

export const scenarioRoutes: FastifyPluginAsyncZod<RouteDeps> = async (app, { db, clock, promising, scenarioTtlDays }) => {
  const deps: ScenarioDeps = { ...promising, scenarioTtlDays, evaluations: new EvaluationCache() };

  app.post(
    '/v1/plants/:plant/scenarios',
    {
      config: { ...planners, etag: true },
      schema: {
        operationId: 'createScenario',
        tags,
        summary: 'Create a what-if scenario (an ordered list of operations, never applied until promoted)',
        description:
          'Operations: `capacity-change` (the body of POST …/capacity-changes), `revoke-capacity-change`, `repromise` and `hypothetical-order` (exists only inside the scenario). At most 50 operations, 20 open scenarios per plant (409 beyond). Nothing changes in the schedule. The scenario expires SCENARIO_TTL_DAYS after its last change (then 410).',
        params: PlantParams,
        headers: IdempotencyHeaders,
        body: ScenarioCreate.meta({ examples: [example] }),
        response: { 201: Scenario, ...errorResponses(404, 409, 413, 415, 422) },
      },
    },
    async (request, reply) => {
      assertWithinHorizon(promising, operationDates(request.body.operations));
      return idempotent(db, request, reply, clock.now(), 201, async (idem) => {
        const s = await createScenario(deps, request.params.plant, request.actor, request.body, idem);
        reply.header('etag', etag(s.revision));
        return s;
      });
    },
  );

  app.get(
    '/v1/plants/:plant/scenarios',
    {
      config: readers,
      schema: {
        operationId: 'listScenarios',
        tags,
        summary: "List the plant's what-if scenarios (open and promoted; expired ones are gone)",
        description: 'Newest first, with `maxOpen`, the most open scenarios the plant may have at once.',
        params: PlantParams,
        response: { 200: ScenarioList, ...errorResponses(404) },
      },
    },
    async (request) => listScenarios(deps, request.params.plant),
  );

  app.get(
    '/v1/plants/:plant/scenarios/:id',
    {
      config: { ...readers, etag: true },
      schema: {
        operationId: 'getScenario',
        tags,
        summary: 'Get a what-if scenario',
        description: '`ETag` is its revision. 410 once it expired.',
        params: ScenarioParams,
        response: { 200: Scenario, ...errorResponses(404, 410) },
      },
    },
    async (request, reply) => {
      const s = await getScenario(deps, request.params.plant, request.params.id);
      return reply.header('etag', etag(s.revision)).send(s);
    },
  );

  app.patch(
    '/v1/plants/:plant/scenarios/:id',
    {
      config: { ...planners, etag: true },
      schema: {
        operationId: 'changeScenario',
        tags,
        summary: "Change a scenario's name or operations",
        description:
          'Moves its revision and its expiry. `If-Match` with the revision read guards against lost updates (412). A promoted scenario no longer changes (409).',
        params: ScenarioParams,
        headers: IfMatchHeaders,
        body: ScenarioChange,
        response: { 200: Scenario, ...errorResponses(404, 409, 410, 412, 413, 415) },
      },
    },
    async (request, reply) => {
      if (request.body.operations) assertWithinHorizon(promising, operationDates(request.body.operations));
      const s = await changeScenario(deps, request.params.plant, request.params.id, request.body, ifMatchRevision(request.headers));
      return reply.header('etag', etag(s.revision)).send(s);
    },
  );

  app.delete(
    '/v1/plants/:plant/scenarios/:id',
    {
      config: planners,
      schema: {
        operationId: 'deleteScenario',
        tags,
        summary: 'Delete a what-if scenario',
        description: '`If-Match` with its revision is optional (412 when stale).',
        params: ScenarioParams,
        headers: IfMatchHeaders,
        response: { 204: z.null().describe('Deleted'), ...errorResponses(404, 412) },
      },
    },
    async (request, reply) => {
      await deleteScenario(deps, request.params.plant, request.params.id, ifMatchRevision(request.headers));
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/v1/plants/:plant/scenarios/:id/evaluation',
    {
      config: readers,
      schema: {
        operationId: 'evaluateScenario',
        tags,
        summary: 'Compare a scenario with the live plan',
        description:
          "The scenario's operations applied in order to the live plan as it is now, under the live rules, without changing it: per operation whether it applied (or the problem the live request would answer; a capacity reduction that would make orders late is applied here anyway with `refusedLive`, the live problem and its made-late orders in `effect.ordersMadeLate`, and promotion still refuses it; `refusedOnlyWithHypotheticalOrders` marks a refusal due only to the scenario's hypothetical orders, which promotion skips and so would apply the operation), orders moved (live and scenario planned finish), orders made late (against their promise), load per resource and week, projected KPIs (open promises keepable, the quoted lead time of a standard quote per product, capacity cost: the working minutes each change adds times the capacity policy's cost per hour for its kind) and the dates of hypothetical orders. Cached per scenario revision, live schedule version and plant-local date, for 5 minutes at most. The evaluation holds the plant's write lock while it applies the operations: one evaluation per plant runs at a time in a process, and one that cannot get the lock, or apply its operations, within 5 s answers 503 `service-unavailable` with `Retry-After`. `scheduleVersion` is the `If-Match` of the promotion. A promoted scenario is not evaluated again (409).",
        params: ScenarioParams,
        querystring: EvaluationQuery,
        response: { 200: ScenarioEvaluation, ...errorResponses(404, 409, 410) },
      },
    },
    async (request) => scenarioEvaluation(deps, request.params.plant, request.actor, request.params.id, request.query),
  );

  app.post(
    '/v1/plants/:plant/scenarios/:id/promote',
    {
      config: planners,
      schema: {
        operationId: 'promoteScenario',
        tags,
        summary: "Apply a scenario's operations to the live schedule, all or none",
        description:
          'One schedule write: every operation through the live request under the normal rules (capacity rule for reductions, feasibility for re-promises), their events as the live requests write them plus `scenario.promoted`, one version. Hypothetical orders are skipped and listed. The first operation that no longer fits refuses the whole write: 409 `scenario-operation-failed` with its `operationIndex` and `problem`; nothing is written. `If-Match` (optional): the live schedule version the scenario was evaluated on (412 when it moved).',
        params: ScenarioParams,
        headers: IfMatchHeaders,
        response: { 200: ScenarioPromotion, ...errorResponses(404, 409, 410, 412) },
      },
    },
    async (request) => promoteScenario(deps, request.params.plant, request.actor, request.params.id, ifMatchRevision(request.headers)),
  );
};
