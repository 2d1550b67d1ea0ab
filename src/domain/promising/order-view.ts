import type { OrderRow } from '../../db/repos/orders.ts';

export function orderView(row: OrderRow, scheduleVersion: number) {
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
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    scheduleVersion,
  };
}
