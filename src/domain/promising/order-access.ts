import type { DbOrTx } from '../../db/database.ts';
import { findOrder, type OrderRow } from '../../db/repos/orders.ts';
import { mayTouchOrder, type Actor } from '../actor.ts';
import { forbidden, notFound } from '../errors.ts';

/** The order, if it exists in the plant and this caller may act on it (sales: its own only). */
export async function findOrderFor(db: DbOrTx, plantId: string, id: string, actor: Actor | null, what = 'Order'): Promise<OrderRow> {
  const row = await findOrder(db, plantId, id);
  if (!row) throw notFound(`${what} "${id}" in plant "${plantId}"`);
  if (actor && !mayTouchOrder(actor, row)) {
    throw forbidden(`${what} ${id} was placed with another API key; a sales key acts on its own holds and orders only.`);
  }
  return row;
}
