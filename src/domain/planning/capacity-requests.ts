import { randomUUID } from 'node:crypto';
import type { CapacityRequestStatus, DbOrTx, StoredProposalJson } from '../../db/database.ts';
import {
  countOpenRequestsOf,
  findCapacityRequest,
  insertCapacityRequest,
  listCapacityRequests,
  updateCapacityRequest,
  type CapacityRequestRow,
} from '../../db/repos/capacity-requests.ts';
import { plantVersions } from '../../db/repos/plant-versions.ts';
import { actorLabel, ownerScope, type Actor } from '../actor.ts';
import { DomainError, invalid, notFound } from '../errors.ts';
import { idempotencyHooks, type IdempotentRequest } from '../idempotency-keys.ts';
import {
  assertNotPast,
  infeasible,
  proposalsFor,
  type CapacityNeededView,
  type Evaluation,
  type ProposalView,
} from '../promising/evaluate.ts';
import { findOrderFor } from '../promising/order-access.ts';
import type { PromisingDeps } from '../promising/quotes.ts';
import type { WriteContext } from '../schedule/write-context.ts';
import { evaluateRequest, movableOrder, type RequestedDemand } from './capacity-request-evaluation.ts';
import { requestEventData } from './capacity-request-withdrawal.ts';

/** Open requests one salesperson (or planner) may have in a plant: a planner's inbox is not a queue anyone can flood. */
const MAX_OPEN_REQUESTS = 20;

export interface CapacityRequestInput extends RequestedDemand {
  quoteId?: string | undefined;
  orderId?: string | undefined;
  note?: string | undefined;
}

/** What an acceptance did: the date keepable, the minutes added, the request's order moved or not (and why). */
export interface RequestOutcome {
  requestedDateKeepable: boolean;
  totalMinutes: number;
  order: MovedOrder | null;
}

export interface MovedOrder {
  id: string;
  repromised: boolean;
  promiseDate: string;
  note: string;
}

/** A request as its reader may see it: a salesperson sees the proposals without costs (the quotes' rule, proposalsFor). */
export function capacityRequestView(r: CapacityRequestRow, viewer: Actor | null) {
  return {
    id: r.id,
    status: r.status,
    sku: r.sku,
    quantity: r.quantity,
    requestedDate: r.requested_date,
    quoteId: r.quote_id,
    orderId: r.order_id,
    note: r.note,
    owner: r.owner_principal,
    filedBy: r.filed_by,
    filedAt: r.filed_at.toISOString(),
    filedAtVersion: r.schedule_version,
    earliestPromiseDate: r.earliest_promise_date,
    // Stored as the evaluation answered (capacityNeeded, proposals, outcome): written only by this module.
    capacityNeeded: r.capacity_needed as CapacityNeededView | null,
    proposals: proposalsFor(viewer, r.proposals as ProposalView[]),
    decidedBy: r.decided_by,
    decidedAt: r.decided_at?.toISOString() ?? null,
    decisionReason: r.decision_reason,
    acceptedBlocks: r.accepted_blocks,
    changeIds: r.change_ids,
    outcome: r.outcome as RequestOutcome | null,
  };
}

export const keepableNow = (e: Evaluation, detail: string) =>
  new DomainError('requested-date-keepable', detail, { earliestPromiseDate: e.earliestPromiseDate, requestedDate: e.requestedDate });

/**
 * A salesperson (or a planner) asks for the capacity that would buy a refused date: for a
 * quote's demand, or to move a held order earlier. The schedule is asked again now, under the
 * plant lock: a date it can keep is a 409 (nothing to ask), one only capacity could buy is
 * filed with the proposals as computed now (never as the client saw them), costs included
 * (shown to planners only). One event, `capacity-request.filed`, the salesperson's to see.
 */
export async function fileCapacityRequest(
  deps: PromisingDeps,
  plantId: string,
  actor: Actor,
  input: CapacityRequestInput,
  idem?: IdempotentRequest,
) {
  const { result, version } = await deps.writer.write(
    plantId,
    actor,
    async (ctx) => {
      assertNotPast(ctx.state, input.requestedDate, ctx.nowMinute, 'body.requestedDate');
      const order = input.orderId ? await requestedOrder(ctx, plantId, actor, input) : null;
      const open = await countOpenRequestsOf(ctx.tx, plantId, actor.principal);
      if (open >= MAX_OPEN_REQUESTS)
        throw new DomainError(
          'conflict',
          `You have ${open} open capacity requests in plant "${plantId}" (at most ${MAX_OPEN_REQUESTS}): withdraw one, or wait for a planner's decision.`,
          { openRequests: open, maxOpenRequests: MAX_OPEN_REQUESTS },
        );
      const e = evaluateRequest(ctx.state, ctx.nowMinute, deps, input, order);
      if (e.requestedDateFeasible)
        throw keepableNow(e, `${input.requestedDate} can be kept now (earliest ${e.earliestPromiseDate}): hold it, no capacity is needed.`);
      // Inside the standard lead time no capacity buys the date: the refusal says so, as the quote did.
      if (e.capacityNeeded?.bindingLimit !== 'capacity') throw infeasible(e, `${input.requestedDate}`, actor);
      const row = await insertCapacityRequest(ctx.tx, {
        plant_id: plantId,
        id: randomUUID(),
        status: 'open',
        sku: input.sku,
        quantity: input.quantity,
        requested_date: input.requestedDate,
        quote_id: input.quoteId ?? null,
        order_id: order?.id ?? null,
        note: input.note ?? null,
        earliest_promise_date: e.earliestPromiseDate,
        capacity_needed: JSON.stringify(e.capacityNeeded),
        proposals: JSON.stringify((e.proposals ?? []) satisfies StoredProposalJson[]),
        owner_principal: actor.principal,
        filed_by: actorLabel(actor),
        filed_at: ctx.now,
        schedule_version: ctx.nextVersion,
      });
      ctx.emit({
        type: 'capacity-request.filed',
        orderId: row.order_id,
        data: {
          ...requestEventData(row),
          earliestPromiseDate: row.earliest_promise_date,
          capacityMinutes: e.capacityNeeded.minutes,
          proposals: row.proposals.length,
        },
      });
      return row;
    },
    idempotencyHooks<CapacityRequestRow>(idem, (o) => ({ ...capacityRequestView(o.result, actor), scheduleVersion: o.version })),
  );
  return { ...capacityRequestView(result, actor), scheduleVersion: version };
}

/** The held order a request would move: the caller's own (another's is a 404), held, the same demand, asked earlier than it holds. */
async function requestedOrder(ctx: WriteContext, plantId: string, actor: Actor, input: CapacityRequestInput) {
  const row = await findOrderFor(ctx.tx, plantId, input.orderId!, actor);
  if (row.status !== 'held' || !movableOrder(ctx.state, row))
    throw new DomainError(
      'conflict',
      `Order ${row.id} is ${row.status}; a capacity request moves a live hold (file one from a quote otherwise, without orderId).`,
      { orderStatus: row.status, orderId: row.id },
    );
  const errors = [];
  if (row.sku !== input.sku) errors.push({ field: 'body.sku', message: `Order ${row.id} is for ${row.sku}` });
  if (row.quantity !== input.quantity) errors.push({ field: 'body.quantity', message: `Order ${row.id} is for ${row.quantity} units` });
  if (errors.length) throw invalid(errors, 'The request does not match the held order.');
  if (input.requestedDate >= row.promise_date)
    throw new DomainError(
      'requested-date-keepable',
      `Order ${row.id} already holds ${row.promise_date}, at or before ${input.requestedDate}: nothing to ask for.`,
      { earliestPromiseDate: row.promise_date, requestedDate: input.requestedDate },
    );
  return row;
}

/** The request if this caller may see it (a salesperson: their own; another's is "not found", word for word as a missing one). */
export async function findRequestFor(db: DbOrTx, plantId: string, id: string, actor: Actor | null) {
  const row = await findCapacityRequest(db, plantId, id);
  const scope = actor ? ownerScope(actor) : undefined;
  if (!row || (scope !== undefined && row.owner_principal !== scope)) throw notFound(`Capacity request "${id}" in plant "${plantId}"`);
  return row;
}

export const assertOpen = (r: CapacityRequestRow) => {
  if (r.status !== 'open')
    throw new DomainError(
      'capacity-request-closed',
      `Capacity request ${r.id} is ${r.status}${r.decided_at ? ` since ${r.decided_at.toISOString()}` : ''}.`,
      { requestStatus: r.status },
    );
};

export async function getCapacityRequest(deps: PromisingDeps, plantId: string, actor: Actor, id: string) {
  const version = await currentVersion(deps.db, plantId);
  return { ...capacityRequestView(await findRequestFor(deps.db, plantId, id, actor), actor), scheduleVersion: version };
}

export async function listPlantCapacityRequests(
  deps: PromisingDeps,
  plantId: string,
  actor: Actor,
  query: { status?: CapacityRequestStatus | undefined; limit: number },
) {
  const version = await currentVersion(deps.db, plantId);
  const rows = await listCapacityRequests(deps.db, plantId, { ...query, owner: ownerScope(actor) });
  return { items: rows.map((r) => capacityRequestView(r, actor)), scheduleVersion: version };
}

async function currentVersion(db: DbOrTx, plantId: string) {
  const p = await plantVersions(db, plantId);
  if (!p) throw notFound(`Plant "${plantId}"`);
  return p.schedule_version;
}

/** Decline (a planner, with a reason) or withdraw (the filing salesperson or a planner): an event, the request closed. */
export async function closeCapacityRequest(
  deps: PromisingDeps,
  plantId: string,
  actor: Actor,
  id: string,
  how: { status: 'declined'; reason: string } | { status: 'withdrawn'; reason?: string | undefined },
) {
  const { result, version } = await deps.writer.write(plantId, actor, async (ctx) => {
    const req = await findRequestFor(ctx.tx, plantId, id, actor);
    assertOpen(req);
    const row = await updateCapacityRequest(ctx.tx, plantId, id, {
      status: how.status,
      decided_by: actorLabel(actor),
      decided_at: ctx.now,
      decision_reason: how.reason ?? null,
    });
    if (how.status === 'declined')
      ctx.emit({ type: 'capacity-request.declined', orderId: row.order_id, data: { ...requestEventData(row), reason: how.reason } });
    else
      ctx.emit({
        type: 'capacity-request.withdrawn',
        orderId: row.order_id,
        data: { ...requestEventData(row), by: actor.role, reason: how.reason ?? null },
      });
    return row;
  });
  return { ...capacityRequestView(result, actor), scheduleVersion: version };
}
