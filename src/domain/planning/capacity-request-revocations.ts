import { capacityLinkedToOrder } from '../../db/repos/capacity-requests.ts';
import type { Actor } from '../actor.ts';
import { cancelOrder } from '../promising/orders.ts';
import type { PromisingDeps } from '../promising/quotes.ts';
import { revokeAnyCapacityChange } from './ranged-capacity-changes.ts';

/**
 * Cancels an order and, when an accepted capacity request added capacity for it (the held
 * order itself, or the quote it was held from) that is still in force, offers to take it back:
 * what revoking each change would do now, under the capacity rule (the revoke preview, after the
 * cancellation freed the order's own load). Nothing is revoked: that is a planner's decision.
 * Which orders a revocation would make late is the planners' business; others see how many.
 */
export async function cancelOrderOfferingRevocations(deps: PromisingDeps, plantId: string, actor: Actor, id: string, reason?: string) {
  const order = await cancelOrder(deps, plantId, actor, id, reason);
  const linked = await capacityLinkedToOrder(deps.db, plantId, { id: order.id, quote_id: order.quoteId, owner_principal: order.owner });
  if (linked.length === 0) return order;
  const planner = actor.role === 'planner' || actor.role === 'admin';
  const offeredRevocations = [];
  for (const l of linked) {
    const p = await revokeAnyCapacityChange(deps, plantId, actor, l.change_id, { preview: true });
    offeredRevocations.push({
      capacityRequestId: l.request_id,
      changeId: l.change_id,
      resource: p.change.resource,
      kind: p.change.kind,
      minutesDelta: p.minutesDelta,
      movedCount: p.movedCount,
      wouldMakeLate: p.late.length,
      ...(planner
        ? {
            lateOrders: p.late.map((o) => ({ orderId: o.orderId, promiseDate: o.promiseDate, earliestPromiseDate: o.earliestPromiseDate })),
          }
        : {}),
    });
  }
  return { ...order, offeredRevocations };
}
