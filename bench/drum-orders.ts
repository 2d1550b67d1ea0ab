import type { Db } from '../src/db/database.ts';
import { COMMITTED } from '../src/db/repos/orders.ts';
import type { DrumOrder } from '../src/engine/index.ts';

/** A plant's committed orders as the engine sees them, read straight from the database. */
export async function loadDrumOrders(db: Db, plantId: string): Promise<DrumOrder[]> {
  const rows = await db
    .selectFrom('orders')
    .select(['id', 'status', 'drum_load_minutes', 'drum_done_minutes', 'drum_deadline', 'seq', 'pinned', 'production_buffer_days'])
    .where('plant_id', '=', plantId)
    .where('status', 'in', COMMITTED)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    load: r.drum_load_minutes - r.drum_done_minutes,
    deadline: Math.floor(r.drum_deadline.getTime() / 60_000),
    seq: r.seq,
    pinned: r.pinned || r.status === 'in_progress',
    productionBufferDays: r.production_buffer_days,
  }));
}
