import type { DbOrTx } from '../../db/database.ts';
import {
  listCapacityChanges,
  listRangedCapacityChanges,
  rangedChangeDays,
  type CapacityChangeRow,
  type RangedCapacityChangeRow,
} from '../../db/repos/capacity-changes.ts';
import { plantVersions } from '../../db/repos/plant-versions.ts';
import { notFound } from '../errors.ts';

export const capacityChangeView = (r: CapacityChangeRow) => ({
  id: r.id,
  resource: r.resource_id,
  kind: r.kind,
  date: r.date,
  start: r.start_time,
  end: r.end_time,
  reason: r.reason,
  createdBy: r.created_by,
  createdAt: r.created_at.toISOString(),
  scheduleVersion: r.schedule_version,
  revokedAt: r.revoked_at?.toISOString() ?? null,
  revokedBy: r.revoked_by,
  revokeReason: r.revoke_reason,
  breakdownId: r.breakdown_id,
});

/**
 * A ranged change shown once: the same fields as a single-day change (`date` its first day,
 * `start`/`end` its pattern's block), then its range or blocks as requested, the days it
 * stands for (each revoked once ended early or revoked) and the days it left out.
 */
export const rangedChangeView = (r: RangedCapacityChangeRow, days: readonly CapacityChangeRow[]) => ({
  id: r.id,
  resource: r.resource_id,
  kind: r.kind,
  date: r.from_date,
  start: r.pattern?.start ?? null,
  end: r.pattern?.end ?? null,
  reason: r.reason,
  createdBy: r.created_by,
  createdAt: r.created_at.toISOString(),
  scheduleVersion: r.schedule_version,
  revokedAt: r.revoked_at?.toISOString() ?? null,
  revokedBy: r.revoked_by,
  revokeReason: r.revoke_reason,
  breakdownId: null,
  // Capacity a planner added by accepting a capacity request (issue 15 item 4), and the held order it was for.
  ...(r.capacity_request_id ? { capacityRequestId: r.capacity_request_id, forOrderId: r.for_order_id } : {}),
  ...(r.pattern
    ? { range: { from: r.from_date, to: r.to_date, weekdays: r.pattern.weekdays, except: r.pattern.except } }
    : { blocks: r.blocks ?? [] }),
  days: days.map((d) => ({ date: d.date, start: d.start_time, end: d.end_time, revokedAt: d.revoked_at?.toISOString() ?? null })),
  skippedDays: r.skipped,
  endedFrom: r.ended_from,
  endedAt: r.ended_at?.toISOString() ?? null,
  endedBy: r.ended_by,
  endReason: r.end_reason,
});

async function capacityRevision(db: DbOrTx, plantId: string) {
  const p = await plantVersions(db, plantId);
  if (!p) throw notFound(`Plant "${plantId}"`);
  return p.config_version;
}

/** Single-day and ranged changes together, by (first) date then creation; a ranged change once, with its days. */
export async function listPlantCapacityChanges(db: DbOrTx, plantId: string, includeRevoked: boolean) {
  const revision = await capacityRevision(db, plantId);
  const singles = (await listCapacityChanges(db, plantId, includeRevoked)).map((r) => ({ at: r.created_at, view: capacityChangeView(r) }));
  const ranged = await listRangedCapacityChanges(db, plantId, includeRevoked);
  const days = new Map<string, CapacityChangeRow[]>();
  for (const d of await rangedChangeDays(
    db,
    plantId,
    ranged.map((r) => r.id),
  )) {
    const list = days.get(d.ranged_change_id!);
    if (list) list.push(d);
    else days.set(d.ranged_change_id!, [d]);
  }
  const items = [...singles, ...ranged.map((r) => ({ at: r.created_at, view: rangedChangeView(r, days.get(r.id) ?? []) }))]
    .sort((a, b) => (a.view.date < b.view.date ? -1 : a.view.date > b.view.date ? 1 : a.at.getTime() - b.at.getTime()))
    .map((x) => x.view);
  return { items, capacityRevision: revision };
}
