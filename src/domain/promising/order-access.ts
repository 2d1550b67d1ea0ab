import type { DbOrTx } from '../../db/database.ts';
import { findOrder, type OrderRow } from '../../db/repos/orders.ts';
import { mayTouchOrder, type Actor } from '../actor.ts';
import { notFound } from '../errors.ts';

/**
 * The order, if it exists in the plant and this caller may act on it (sales: its own only).
 * Another owner's order is "not found" to a sales key, word for word as a missing one, so a
 * key cannot probe which orders exist.
 */
export async function findOrderFor(db: DbOrTx, plantId: string, id: string, actor: Actor | null, what = 'Order'): Promise<OrderRow> {
  const row = await findOrder(db, plantId, id);
  if (!row || !mayActOnOrder(actor, row)) throw notFound(`${what} "${id}" in plant "${plantId}"`);
  return row;
}

/** Whether this caller may see and act on the order (sales: its own only): the one ownership rule, for feeds as for single orders. */
export const mayActOnOrder = (actor: Actor | null, row: OrderRow): boolean => !actor || mayTouchOrder(actor, row);
