import { principalHasActiveKey } from '../../db/repos/api-keys.ts';
import { ordersOfCustomer, setOrderOwner } from '../../db/repos/orders.ts';
import type { Actor } from '../actor.ts';
import { invalid, notFound } from '../errors.ts';
import { findOrderFor } from './order-access.ts';
import type { PromisingDeps } from './quotes.ts';

export interface HandOverInput {
  to: string;
  orderId?: string | undefined;
  customerId?: string | undefined;
  reason?: string | undefined;
}

/**
 * A planner hands one order, or every order of an ERP customer in the plant, to another
 * principal (sales hands a client to account management): the new owner sees and acts on
 * them, the old one no longer does. Through the write path with an `orders.handed-over`
 * event naming who moved which orders from whom; orders the receiver already owns are left
 * out, and a hand-over that moves nothing writes nothing.
 */
export async function handOver(deps: PromisingDeps, plantId: string, actor: Actor, input: HandOverInput) {
  if ((input.orderId === undefined) === (input.customerId === undefined))
    throw invalid([{ field: 'body', message: 'Send exactly one of "orderId" and "customerId"' }]);
  if (!(await principalHasActiveKey(deps.db, input.to, plantId)))
    throw invalid([{ field: 'body.to', message: `Principal "${input.to}" has no active API key for plant "${plantId}"` }]);
  const { result, version } = await deps.writer.write(plantId, actor, async (ctx) => {
    const rows =
      input.orderId !== undefined
        ? [await findOrderFor(ctx.tx, plantId, input.orderId, actor)]
        : await ordersOfCustomer(ctx.tx, plantId, input.customerId!);
    if (rows.length === 0) throw notFound(`Orders of customer "${input.customerId}" in plant "${plantId}"`);
    const moved = rows.filter((r) => r.owner_principal !== input.to).map((r) => ({ orderId: r.id, from: r.owner_principal }));
    if (moved.length === 0) return moved;
    await setOrderOwner(
      ctx.tx,
      plantId,
      moved.map((m) => m.orderId),
      input.to,
      ctx.nextVersion,
      ctx.now,
    );
    // One event per order, so each order's feed (and its new owner's, GET /v1/me/events) has it.
    for (const m of moved)
      ctx.emit({
        type: 'orders.handed-over',
        orderId: m.orderId,
        data: { to: input.to, customerId: input.customerId ?? null, reason: input.reason ?? null, orders: [m] },
      });
    return moved;
  });
  return { to: input.to, customerId: input.customerId ?? null, orders: result, scheduleVersion: version };
}
