import { COMMITTED, type OrderRow } from '../../db/repos/orders.ts';

/** `timeZone`: the plant's, the zone its local dates (promise, requested) are days of; instants are UTC. */
export function orderView(row: OrderRow, scheduleVersion: number, timeZone: string) {
  return {
    id: row.id,
    status: row.status,
    sku: row.sku,
    quantity: row.quantity,
    customer: row.customer,
    customerId: row.customer_id,
    owner: row.owner_principal,
    externalId: row.external_id,
    materialAvailableAt: row.material_available_at?.toISOString() ?? null,
    requestedDate: row.requested_date,
    promiseDate: row.promise_date,
    drumDeadline: row.drum_deadline.toISOString(),
    drumLoadMinutes: row.drum_load_minutes,
    drumDoneMinutes: row.drum_done_minutes,
    expiresAt: row.hold_expires_at?.toISOString() ?? null,
    releasedAt: row.released_at?.toISOString() ?? null,
    completedAt: row.completed_at?.toISOString() ?? null,
    shippedAt: row.shipped_at?.toISOString() ?? null,
    promiseKept: row.promise_kept,
    originalPromiseDate: row.original_promise_date,
    originalPromiseKept: row.original_promise_kept,
    quoteId: row.quote_id,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    // A closed order's flag is history (its events keep it): the view speaks of open orders only.
    atRisk: COMMITTED.includes(row.status) ? atRiskView(row) : null,
    scheduleVersion,
    timeZone,
  };
}

/** The order's stored at-risk flag as the API shows it (null: on track). */
export function atRiskView(
  row: Pick<OrderRow, 'at_risk' | 'at_risk_projected_finish' | 'at_risk_reason' | 'at_risk_resource' | 'at_risk_since'>,
) {
  if (!row.at_risk) return null;
  return {
    projectedFinish: row.at_risk_projected_finish?.toISOString() ?? null,
    reason: row.at_risk_reason ?? 'resource',
    resource: row.at_risk_resource,
    since: row.at_risk_since?.toISOString() ?? null,
  };
}
