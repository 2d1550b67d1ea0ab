import { closeOpenRequestsOfOrders, type CapacityRequestRow } from '../../db/repos/capacity-requests.ts';
import type { WriteContext } from '../schedule/write-context.ts';

/** Event data common to every step of a request. */
export const requestEventData = (r: CapacityRequestRow) => ({
  requestId: r.id,
  owner: r.owner_principal,
  sku: r.sku,
  quantity: r.quantity,
  requestedDate: r.requested_date,
  quoteId: r.quote_id,
});

/**
 * A request to move a hold dies with it: when the order is cancelled or its hold expires, its
 * open requests are withdrawn in the same write (one `capacity-request.withdrawn` each), so no
 * planner buys capacity for an order that no longer exists. Kept free of the promising modules
 * so the cancel path and the writer's housekeeping can call it without an import cycle.
 */
export async function withdrawRequestsOfDeadOrders(
  ctx: WriteContext,
  orderIds: readonly string[],
  by: { label: string; role: string },
  reason: 'order cancelled' | 'hold expired',
) {
  const rows = await closeOpenRequestsOfOrders(ctx.tx, ctx.state.config.plantId, orderIds, {
    status: 'withdrawn',
    decided_by: by.label,
    decided_at: ctx.now,
    decision_reason: reason,
  });
  for (const row of rows)
    ctx.emit({ type: 'capacity-request.withdrawn', orderId: row.order_id, data: { ...requestEventData(row), by: by.role, reason } });
}
