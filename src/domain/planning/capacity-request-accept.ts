import type { RequestedBlockJson } from '../../db/database.ts';
import { updateCapacityRequest, type CapacityRequestRow } from '../../db/repos/capacity-requests.ts';
import { findOrder, type OrderRow } from '../../db/repos/orders.ts';
import { actorLabel, type Actor } from '../actor.ts';
import { DomainError, invalid } from '../errors.ts';
import { proposalsFor, storedDemand, type Evaluation } from '../promising/evaluate.ts';
import type { PromisingDeps } from '../promising/quotes.ts';
import { recommitRoute } from '../promising/reserve.ts';
import type { WriteContext } from '../schedule/write-context.ts';
import { assertRevision } from './capacity-changes.ts';
import { evaluateRequest, movableOrder } from './capacity-request-evaluation.ts';
import { assertOpen, capacityRequestView, findRequestFor, keepableNow, type MovedOrder, type RequestOutcome } from './capacity-requests.ts';
import { requestEventData } from './capacity-request-withdrawal.ts';
import { applyRangedChange } from './ranged-capacity-changes.ts';
import { applyRepromise } from './repromise.ts';

export interface AcceptInput {
  /** One of the proposals stored with the request … */
  proposalIndex?: number | undefined;
  /** … or the planner's own blocks (an edited proposal). */
  blocks?: RequestedBlockJson[] | undefined;
  reason?: string | undefined;
}

type Block = Pick<RequestedBlockJson, 'resource' | 'kind' | 'date' | 'start' | 'end'>;

/** A block the capacity change left out (it would add no working minute), and why. */
type SkippedBlock = Omit<Block, 'start' | 'end'> & { start: string | null; end: string | null; why: string };

const sameBlock = (a: Block, b: SkippedBlock) =>
  a.resource === b.resource && a.kind === b.kind && a.date === b.date && a.start === b.start && a.end === b.end;

/** The blocks to apply: a stored proposal by index, or the planner's own. */
function chosenBlocks(req: CapacityRequestRow, input: AcceptInput): Block[] {
  if (input.blocks !== undefined) return input.blocks.map(({ resource, kind, date, start, end }) => ({ resource, kind, date, start, end }));
  const i = input.proposalIndex ?? 0;
  const p = req.proposals[i];
  if (!p)
    throw invalid([
      {
        field: 'body.proposalIndex',
        message:
          req.proposals.length === 0
            ? 'The request has no proposals: send `blocks`'
            : `The request has ${req.proposals.length} proposal(s): 0 to ${req.proposals.length - 1}`,
      },
    ]);
  return p.blocks.map(({ resource, kind, date, start, end }) => ({ resource, kind, date, start, end }));
}

const stale = (ctx: WriteContext, req: CapacityRequestRow, reason: string, fresh: Evaluation) =>
  new DomainError('capacity-request-stale', `The proposal no longer buys ${req.requested_date}: ${reason}`, {
    reason,
    requestedDate: req.requested_date,
    earliestPromiseDate: fresh.earliestPromiseDate,
    proposals: proposalsFor(ctx.actor, fresh.proposals ?? []),
  });

/** Blocks of one resource and kind become one capacity change (a ranged change with explicit blocks). */
function groups(blocks: readonly Block[]) {
  const out = new Map<string, Block[]>();
  for (const b of blocks) {
    const key = `${b.resource}\u0000${b.kind}`;
    out.set(key, [...(out.get(key) ?? []), b]);
  }
  return [...out.values()];
}

/**
 * A planner accepts a capacity request: the chosen proposal is checked against the live plan
 * (it may be stale: the plan moved since it was filed), applied as capacity changes through the
 * write path, linked to the request and its order, and the request closed, all in one
 * transaction. Then a held order of the request moves to the requested date when it can now
 * be kept (else it stays, and the answer says why); a quote's salesperson holds the date anew.
 * A refusal (409 `capacity-request-stale` with the proposals that would work now) writes nothing.
 */
export async function acceptCapacityRequest(
  deps: PromisingDeps,
  plantId: string,
  actor: Actor,
  id: string,
  input: AcceptInput,
  ifMatch?: number,
) {
  const { result, version } = await deps.writer.write(plantId, actor, async (ctx) => {
    assertRevision(ctx.state, ifMatch);
    const req = await findRequestFor(ctx.tx, plantId, id, actor);
    assertOpen(req);
    const blocks = chosenBlocks(req, input);
    const demand = { sku: req.sku, quantity: req.quantity, requestedDate: req.requested_date };
    const orderRow = req.order_id ? await findOrder(ctx.tx, plantId, req.order_id) : undefined;
    const order = movableOrder(ctx.state, orderRow);
    // A request to move an order buys capacity for that order only: one no longer live (cancelled,
    // expired, shipped; its requests are withdrawn with it, but rows filed before that rule) buys nothing.
    if (req.order_id && !order)
      throw new DomainError(
        'capacity-request-closed',
        `Order ${req.order_id} of capacity request ${id} is ${orderRow?.status ?? 'gone'}: no capacity is bought for it; decline or withdraw the request.`,
        { requestStatus: req.status, orderId: req.order_id, orderStatus: orderRow?.status ?? null },
      );
    const before = evaluateRequest(ctx.state, ctx.nowMinute, deps, demand, order);
    if (before.requestedDateFeasible)
      throw keepableNow(
        before,
        `${req.requested_date} can be kept now without extra capacity (earliest ${before.earliestPromiseDate}): decline the request saying so${order ? ', or re-promise the order' : ''}.`,
      );
    const reason = input.reason ?? `capacity request ${id}: ${req.quantity} × ${req.sku} for ${req.requested_date}`;
    const changes = [];
    const skippedDays: SkippedBlock[] = [];
    try {
      for (const group of groups(blocks)) {
        const { resource, kind } = group[0]!;
        const applied = await applyRangedChange(
          ctx,
          plantId,
          actor,
          { resource, kind, reason, blocks: group.map(({ date, start, end }) => ({ date, start, end })) },
          { capacityRequestId: id, forOrderId: req.order_id },
        );
        changes.push(applied);
        skippedDays.push(...(applied.skippedDays ?? []).map((d) => ({ resource, kind, ...d })));
      }
    } catch (error) {
      // A block now in the past, on a day the resource already works, or taking an order's plan: the proposal is stale.
      if (!(error instanceof DomainError) || !['validation-error', 'conflict', 'schedule-infeasible'].includes(error.kind)) throw error;
      const fields = error.errors.map((e) => `${e.field}: ${e.message}`).join('; ');
      throw stale(ctx, req, fields ? `${error.message} (${fields})` : error.message, before);
    }
    const after = evaluateRequest(ctx.state, ctx.nowMinute, deps, demand, movableOrder(ctx.state, orderRow));
    if (!after.requestedDateFeasible)
      throw stale(ctx, req, `with these blocks the earliest date the schedule can keep is ${after.earliestPromiseDate}`, before);
    const changeIds = changes.map((c) => c.change.id);
    // Read again: the capacity changes may have planned the order anew.
    const moved = await moveOrder(ctx, req, req.order_id ? await findOrder(ctx.tx, plantId, req.order_id) : undefined, changeIds[0]!);
    const totalMinutes = changes.reduce((n, c) => n + c.minutesDelta, 0);
    const row = await updateCapacityRequest(ctx.tx, plantId, id, {
      status: 'accepted',
      decided_by: actorLabel(actor),
      decided_at: ctx.now,
      decision_reason: input.reason ?? null,
      // Only the blocks that add capacity: one inside a shift was left out (skippedDays).
      accepted_blocks: JSON.stringify(blocks.filter((b) => !skippedDays.some((d) => sameBlock(b, d)))),
      change_ids: JSON.stringify(changeIds),
      outcome: JSON.stringify({ requestedDateKeepable: true, totalMinutes, order: moved } satisfies RequestOutcome),
    });
    ctx.emit({
      type: 'capacity-request.accepted',
      orderId: row.order_id,
      data: {
        ...requestEventData(row),
        proposalIndex: input.blocks === undefined ? (input.proposalIndex ?? 0) : null,
        changeIds,
        totalMinutes,
        requestedDateKeepable: true,
        orderRepromised: moved?.repromised ?? false,
        orderNote: moved?.note ?? null,
      },
    });
    return {
      row,
      changes: changes.map((c) => ({
        ...c.change,
        minutesDelta: c.minutesDelta,
        movedCount: c.movedCount,
        skippedDays: c.skippedDays ?? [],
      })),
      skippedDays,
      capacityRevision: ctx.state.config.configVersion,
    };
  });
  return {
    request: capacityRequestView(result.row, actor),
    changes: result.changes,
    skippedDays: result.skippedDays,
    requestedDateKeepable: true,
    order: (result.row.outcome as RequestOutcome | null)?.order ?? null,
    scheduleVersion: version,
    capacityRevision: result.capacityRevision,
  };
}

/** The request's order moves to the requested date when it can now be kept; otherwise it stays, and the note says why. */
async function moveOrder(
  ctx: WriteContext,
  req: CapacityRequestRow,
  row: OrderRow | undefined,
  changeId: string,
): Promise<MovedOrder | null> {
  if (!req.order_id) return null;
  const stays = (why: string) => ({
    id: req.order_id!,
    repromised: false,
    promiseDate: row?.promise_date ?? req.requested_date,
    note: why,
  });
  const order = movableOrder(ctx.state, row);
  if (!order) return stays(`the order is ${row?.status ?? 'gone'}: the salesperson holds ${req.requested_date} anew`);
  if (order.promise_date <= req.requested_date) return stays(`the order is already promised for ${order.promise_date}`);
  if (order.pinned || order.status === 'released' || order.status === 'in_progress')
    return stays(`the order is ${order.pinned ? 'frozen at the head of the drum' : order.status}: a planner re-promises it`);
  const what = `Moving order ${order.id} to ${req.requested_date} (capacity request ${req.id})`;
  const { plan } = recommitRoute(ctx, order, storedDemand(ctx.state, order), req.requested_date, what);
  await applyRepromise(
    ctx,
    { row: order, promiseDate: req.requested_date, plan, reason: `capacity request ${req.id} accepted`, initiator: 'customer' },
    { capacityChangeId: changeId },
  );
  return { id: order.id, repromised: true, promiseDate: req.requested_date, note: `moved from ${order.promise_date}` };
}
