import { orderEventRows } from '../../db/repos/at-risk.ts';
import { eventFromRow } from '../../db/repos/events.ts';
import { ordersByIds, type OrderRow } from '../../db/repos/orders.ts';
import { mayTouchOrder, type Actor } from '../actor.ts';
import { mayActOnOrder } from './order-access.ts';
import { currentVersion } from './orders.ts';
import type { PromisingDeps } from './quotes.ts';
import type { StoredEvent } from '../schedule/event-types.ts';

/**
 * A capacity request's steps belong to the principal who filed it (its `owner`) and, when it
 * names a hold, to whoever may act on that order (a planner may file for a salesperson's
 * hold); every other event to whoever may act on its order.
 */
function mayReadEvent(actor: Actor, r: { type: string; order_id: string | null; data: unknown }, orders: ReadonlyMap<string, OrderRow>) {
  const order = r.order_id === null ? undefined : orders.get(r.order_id);
  const onOrder = order !== undefined && mayActOnOrder(actor, order);
  if (r.type.startsWith('capacity-request.'))
    return onOrder || mayTouchOrder(actor, { owner_principal: (r.data as { owner?: string }).owner ?? null });
  return onOrder;
}

/** Events read per scan step, and scan steps per request: a page of a sparse feed stays bounded. */
const SCAN = 500;
const MAX_SCANS = 10;

/**
 * A caller's own feed: the plant's events about orders this caller may act on (a salesperson:
 * their own orders, decided by order-access.ts, the one ownership rule) and the steps of their
 * capacity requests, oldest first, after
 * `after`, at most `limit`. `lastSeq` is the last event examined, not the last one returned,
 * so a page that found nothing of the caller's still moves the cursor on; poll with it.
 */
export async function ownEventFeed(deps: PromisingDeps, actor: Actor, plantId: string, after: number, limit: number) {
  await currentVersion(deps, plantId);
  const items: StoredEvent[] = [];
  let lastSeq = after;
  for (let scan = 0; scan < MAX_SCANS && items.length < limit; scan++) {
    const rows = await orderEventRows(deps.db, plantId, lastSeq, SCAN);
    if (rows.length === 0) break;
    const ids = [...new Set(rows.flatMap((r) => (r.order_id === null ? [] : [r.order_id])))];
    const orders = new Map((await ordersByIds(deps.db, plantId, ids)).map((o) => [o.id, o]));
    for (const r of rows) {
      lastSeq = r.seq;
      if (mayReadEvent(actor, r, orders)) {
        // Rows were validated against the registry when appended (see StoredEvent).
        items.push(eventFromRow(r) as StoredEvent);
        if (items.length === limit) break;
      }
    }
    if (rows.length < SCAN) break;
  }
  return { plant: plantId, items, lastSeq };
}
