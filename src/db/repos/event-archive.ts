import type { DbOrTx } from '../database.ts';

/** Up to `limit` of the plant's events after `after` that happened before `before`, by sequence. */
export async function eventsBefore(db: DbOrTx, plantId: string, after: number, before: Date, limit: number) {
  return db
    .selectFrom('schedule_events')
    .select(['seq', 'schedule_version', 'type', 'actor', 'at', 'order_id', 'data'])
    .where('plant_id', '=', plantId)
    .where('seq', '>', after)
    .where('at', '<', before)
    .orderBy('seq')
    .limit(limit)
    .execute();
}
