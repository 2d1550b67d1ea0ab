import { randomUUID } from 'node:crypto';
import { plantVersions } from '../../db/repos/plant-versions.ts';
import {
  countOpenScenarios,
  deleteScenario as deleteScenarioRow,
  expireScenarios,
  findScenario,
  insertScenario,
  listScenarios as listScenarioRows,
  lockScenario,
  updateScenario,
  type ScenarioRow,
} from '../../db/repos/scenarios.ts';
import type { DbOrTx } from '../../db/database.ts';
import { actorLabel, type Actor } from '../actor.ts';
import type { Clock } from '../clock.ts';
import { conflict, DomainError, notFound, preconditionFailed } from '../errors.ts';
import { idempotencyHooks, type IdempotentRequest } from '../idempotency-keys.ts';
import type { PromisingDeps } from '../promising/quotes.ts';
import { evaluateScenario, problemOf, type EvaluationOptions, type ScenarioEvaluation } from './scenario-evaluation.ts';
import { applyOperation, stepDeps, type ScenarioOperation } from './scenario-operations.ts';

/** Open scenarios a plant may have at once: each is evaluated on demand, so their number bounds the work and the cache. */
const MAX_OPEN_SCENARIOS = 20;

export interface ScenarioDeps extends PromisingDeps {
  /** Days an open scenario lives after its last change (SCENARIO_TTL_DAYS). */
  scenarioTtlDays: number;
  /** This process's evaluations, per (scenario revision, live versions). */
  evaluations: EvaluationCache;
}

export interface ScenarioInput {
  name: string;
  operations: ScenarioOperation[];
}

const DAY_MS = 86_400_000;

export function scenarioView(r: ScenarioRow) {
  return {
    id: r.id,
    plant: r.plant_id,
    name: r.name,
    status: r.status,
    revision: r.revision,
    operations: r.operations as ScenarioOperation[],
    createdBy: r.created_by,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
    expiresAt: r.expires_at.toISOString(),
    promotedAt: r.promoted_at?.toISOString() ?? null,
    promotedBy: r.promoted_by,
    promotedVersion: r.promoted_version,
  };
}

export type ScenarioView = ReturnType<typeof scenarioView>;

/** Expiry is lazy: every read and change of a plant's scenarios first expires the due ones and prunes those long expired. */
async function expireDue(db: DbOrTx, clock: Clock, ttlDays: number, plantId: string) {
  const now = clock.now();
  await expireScenarios(db, plantId, now, new Date(now.getTime() - ttlDays * DAY_MS));
}

async function plantMustExist(db: DbOrTx, plantId: string) {
  if (!(await plantVersions(db, plantId))) throw notFound(`Plant "${plantId}"`);
}

/** A scenario that may still be read: 404 when unknown, 410 once expired. */
function live(row: ScenarioRow | undefined, id: string): ScenarioRow {
  if (!row) throw notFound(`Scenario "${id}"`);
  if (row.status === 'expired')
    throw new DomainError('scenario-expired', `Scenario ${id} expired at ${row.expires_at.toISOString()}; create it again.`, {
      expiredAt: row.expires_at.toISOString(),
    });
  return row;
}

function mustBeOpen(row: ScenarioRow) {
  if (row.status !== 'open')
    throw conflict(`Scenario ${row.id} was promoted at ${row.promoted_at?.toISOString()}; it can no longer change.`, {
      scenarioStatus: row.status,
    });
}

export async function createScenario(deps: ScenarioDeps, plantId: string, actor: Actor, input: ScenarioInput, idem?: IdempotentRequest) {
  return deps.db.transaction().execute(async (tx) => {
    await plantMustExist(tx, plantId);
    await expireDue(tx, deps.clock, deps.scenarioTtlDays, plantId);
    const open = await countOpenScenarios(tx, plantId);
    if (open >= MAX_OPEN_SCENARIOS)
      throw conflict(
        `Plant "${plantId}" has ${open} open scenarios, the most it may have: delete or promote one first (scenarios also expire by themselves).`,
        { limit: MAX_OPEN_SCENARIOS },
      );
    const now = deps.clock.now();
    const row = await insertScenario(tx, {
      plant_id: plantId,
      id: randomUUID(),
      name: input.name,
      operations: JSON.stringify(input.operations),
      revision: 1,
      status: 'open',
      created_by: actorLabel(actor),
      created_at: now,
      updated_at: now,
      expires_at: new Date(now.getTime() + deps.scenarioTtlDays * DAY_MS),
    });
    const view = scenarioView(row);
    // Stored in the creation's own transaction, as a schedule write stores its answer (idempotencyHooks).
    await idempotencyHooks<ScenarioView>(idem, (o) => o.result).succeeded?.(tx, { result: view, version: 0 });
    return view;
  });
}

export async function listScenarios(deps: ScenarioDeps, plantId: string) {
  await plantMustExist(deps.db, plantId);
  await expireDue(deps.db, deps.clock, deps.scenarioTtlDays, plantId);
  const rows = await listScenarioRows(deps.db, plantId);
  return { items: rows.filter((r) => r.status !== 'expired').map(scenarioView), maxOpen: MAX_OPEN_SCENARIOS };
}

export async function getScenario(deps: ScenarioDeps, plantId: string, id: string) {
  await expireDue(deps.db, deps.clock, deps.scenarioTtlDays, plantId);
  return scenarioView(live(await findScenario(deps.db, plantId, id), id));
}

/** A new name or operations; each change moves the revision and the expiry (If-Match: the revision). */
export async function changeScenario(
  deps: ScenarioDeps,
  plantId: string,
  id: string,
  change: Partial<ScenarioInput>,
  ifMatch: number | undefined,
) {
  return deps.db.transaction().execute(async (tx) => {
    await expireDue(tx, deps.clock, deps.scenarioTtlDays, plantId);
    const row = live(await lockScenario(tx, plantId, id), id);
    mustBeOpen(row);
    assertScenarioRevision(row, ifMatch);
    const now = deps.clock.now();
    const updated = await updateScenario(tx, plantId, id, {
      ...(change.name === undefined ? {} : { name: change.name }),
      ...(change.operations === undefined ? {} : { operations: JSON.stringify(change.operations) }),
      revision: row.revision + 1,
      updated_at: now,
      expires_at: new Date(now.getTime() + deps.scenarioTtlDays * DAY_MS),
    });
    return scenarioView(updated!);
  });
}

export async function deleteScenario(deps: ScenarioDeps, plantId: string, id: string, ifMatch: number | undefined) {
  await deps.db.transaction().execute(async (tx) => {
    const row = await lockScenario(tx, plantId, id);
    if (!row) throw notFound(`Scenario "${id}"`);
    assertScenarioRevision(row, ifMatch);
    await deleteScenarioRow(tx, plantId, id);
  });
}

function assertScenarioRevision(row: ScenarioRow, ifMatch: number | undefined) {
  if (ifMatch !== undefined && ifMatch !== row.revision)
    throw preconditionFailed(`Scenario ${row.id} changed (revision ${row.revision}); reload it and retry.`, {
      currentRevision: row.revision,
    });
}

/**
 * The comparison of a scenario with the live plan, from this process's cache when neither
 * the scenario nor the plant changed since (the key is the scenario's revision, the plant's
 * schedule and config versions, read in one indexed query, and the plant-local date). Time
 * passing alone (a hold expiring, overdue work, a capacity change now in the past) moves no
 * version: so an evaluation is served from the cache for EVALUATION_TTL_MS at most, and never
 * on another local day than the one it was made on.
 */
export async function scenarioEvaluation(deps: ScenarioDeps, plantId: string, actor: Actor, id: string, options: EvaluationOptions) {
  await expireDue(deps.db, deps.clock, deps.scenarioTtlDays, plantId);
  const row = live(await findScenario(deps.db, plantId, id), id);
  // Its operations are live now: evaluating them again would compare them with themselves.
  mustBeOpen(row);
  const versions = await plantVersions(deps.db, plantId);
  if (!versions) throw notFound(`Plant "${plantId}"`);
  const now = deps.clock.now();
  const key = [
    row.id,
    row.revision,
    versions.schedule_version,
    versions.config_version,
    localDateIn(versions.time_zone, now),
    options.weeks,
    options.quoteQuantity,
  ].join(' ');
  const cached = deps.evaluations.get(plantId, key, now.getTime());
  if (cached) return { scenarioId: row.id, revision: row.revision, ...cached };
  const evaluation = await evaluateScenario(deps, deps, plantId, actor, row.operations as ScenarioOperation[], options);
  deps.evaluations.set(plantId, key, evaluation, now.getTime());
  return { scenarioId: row.id, revision: row.revision, ...evaluation };
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();

/** The plant-local date of `now` (YYYY-MM-DD). */
function localDateIn(timeZone: string, now: Date): string {
  let f = dateFormats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dateFormats.set(timeZone, f);
  }
  return f.format(now);
}

/** How long an evaluation is served from the cache at most (time passing changes it without any write). */
const EVALUATION_TTL_MS = 5 * 60_000;

/**
 * Applies every operation of the scenario in one schedule write, under the live rules, in
 * order: each through the live use case (so its events are the ones the live request
 * writes), all in the write's one version, then `scenario.promoted`. The first operation
 * that no longer fits (the plan moved since the evaluation) refuses the whole write: 409
 * `scenario-operation-failed` with its index and the problem, and nothing is written.
 * Hypothetical orders are skipped and listed. `ifMatch`: the live schedule version the
 * planner evaluated on (412 when it moved).
 */
export async function promoteScenario(deps: ScenarioDeps, plantId: string, actor: Actor, id: string, ifMatch: number | undefined) {
  const { result, version } = await deps.writer.write(plantId, actor, async (ctx) => {
    // The version before this write (after any write committed ahead of it in its batch).
    const current = ctx.nextVersion - 1;
    if (ifMatch !== undefined && ifMatch !== current)
      throw preconditionFailed(`The schedule moved on (version ${current}); evaluate the scenario again and retry.`, {
        currentRevision: current,
      });
    await expireDue(ctx.tx, deps.clock, deps.scenarioTtlDays, plantId);
    const row = live(await lockScenario(ctx.tx, plantId, id), id);
    mustBeOpen(row);
    const operations = row.operations as ScenarioOperation[];
    // The use cases write through this very write: one transaction, one version for all.
    const inner = stepDeps({ db: ctx.tx, clock: { now: () => ctx.now }, cache: deps.cache }, async (_actor, fn) => ({
      result: await fn(ctx),
      version: ctx.nextVersion,
      state: ctx.state,
    }));
    const skipped: number[] = [];
    const applied: { index: number; type: ScenarioOperation['type']; effect: Record<string, unknown> }[] = [];
    for (const [index, op] of operations.entries()) {
      if (op.type === 'hypothetical-order') {
        skipped.push(index);
        continue;
      }
      try {
        applied.push({ index, type: op.type, effect: await applyOperation(inner, deps, plantId, actor, op) });
      } catch (e) {
        if (!(e instanceof DomainError)) throw e;
        throw new DomainError(
          'scenario-operation-failed',
          `Operation ${index} (${op.type}) of scenario ${id} no longer fits the live plan: ${e.message} Nothing was applied.`,
          { operationIndex: index, operationType: op.type, problem: problemOf(e) },
        );
      }
    }
    const promoted = await updateScenario(ctx.tx, plantId, id, {
      status: 'promoted',
      promoted_at: ctx.now,
      promoted_by: actorLabel(actor),
      promoted_version: ctx.nextVersion,
      updated_at: ctx.now,
    });
    ctx.emit({
      type: 'scenario.promoted',
      data: { scenarioId: id, name: row.name, revision: row.revision, operations: operations.length, skippedHypotheticalOrders: skipped },
    });
    return { scenario: scenarioView(promoted!), applied, skippedHypotheticalOrders: skipped };
  });
  return { ...result, scheduleVersion: version };
}

/**
 * Evaluations kept in this process, least recently used first out: at most `perPlant` per
 * plant and `plants` plants, so memory stays bounded whatever is asked (an evaluation lists
 * at most a few hundred orders), each for `ttlMs` at most (by the service's clock).
 */
export class EvaluationCache {
  private readonly byPlant = new Map<string, Map<string, { value: ScenarioEvaluation; at: number }>>();

  constructor(
    private readonly perPlant = 8,
    private readonly plants = 64,
    private readonly ttlMs = EVALUATION_TTL_MS,
  ) {}

  get(plantId: string, key: string, nowMs: number): ScenarioEvaluation | undefined {
    const entries = this.byPlant.get(plantId);
    const hit = entries?.get(key);
    if (!entries || !hit) return undefined;
    entries.delete(key);
    if (nowMs - hit.at > this.ttlMs || nowMs < hit.at) return undefined;
    entries.set(key, hit);
    this.byPlant.delete(plantId);
    this.byPlant.set(plantId, entries);
    return hit.value;
  }

  set(plantId: string, key: string, value: ScenarioEvaluation, nowMs: number): void {
    const entries = this.byPlant.get(plantId) ?? new Map<string, { value: ScenarioEvaluation; at: number }>();
    entries.delete(key);
    entries.set(key, { value, at: nowMs });
    while (entries.size > this.perPlant) entries.delete(entries.keys().next().value!);
    this.byPlant.delete(plantId);
    this.byPlant.set(plantId, entries);
    while (this.byPlant.size > this.plants) this.byPlant.delete(this.byPlant.keys().next().value!);
  }
}
