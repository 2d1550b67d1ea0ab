import { COMMITTED, type OrderRow } from '../../db/repos/orders.ts';
import { engineOf, evaluate, resolveDemand, storedDemand, type DemandLimits, type Evaluation } from '../promising/evaluate.ts';
import type { PlantState } from '../schedule/plant-cache.ts';

export interface RequestedDemand {
  sku: string;
  quantity: number;
  requestedDate: string;
}

/** An order a capacity request may move: open and on the route book (a hold that expired or an order cancelled is not). */
export const movableOrder = (state: PlantState, row: OrderRow | null | undefined): OrderRow | null =>
  row && COMMITTED.includes(row.status) && engineOf(state).route.has(row.id) ? row : null;

/**
 * The schedule's answer to a capacity request, as a write would decide it now: for an open
 * order of the request, whether it could move to the requested date (its own snapshot and
 * buffers), evaluated with the order taken off the books and put back (a checkpoint, so
 * nothing of it stays); otherwise the demand as a new hold would be. The standard lead-time
 * floor applies to both: a request is a new promise the salesperson asks for, and a hold moved
 * earlier through one must not get round the floor a quote or a new hold enforces.
 * Synchronous: no other work sees the overlay.
 */
export function evaluateRequest(
  state: PlantState,
  nowMinute: number,
  limits: DemandLimits,
  req: RequestedDemand,
  order: OrderRow | null,
): Evaluation {
  if (order === null) return evaluate(state, resolveDemand(state, req, limits), nowMinute, req.requestedDate);
  const { book, route } = engineOf(state);
  const floor = resolveDemand(state, req, limits).policy.standardLeadTimeDays;
  const stored = storedDemand(state, order);
  const demand = { ...stored, policy: { ...stored.policy, standardLeadTimeDays: floor } };
  const cp = state.checkpoint();
  try {
    book.remove(order.id);
    route.remove(order.id);
    return evaluate(state, demand, nowMinute, req.requestedDate);
  } finally {
    state.rollback(cp);
  }
}
