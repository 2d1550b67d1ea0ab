import { sql } from 'kysely';
import type { Db } from '../src/db/database.ts';
import { buildWorkingTime, DrumBook } from '../src/engine/index.ts';
import { loadDrumOrders } from './drum-orders.ts';

export interface PlantCheck {
  plantId: string;
  committed: number;
  feasible: boolean;
  minSlackMinutes: number;
}

/**
 * Reads the stored schedule back and asks the engine, independently of any service cache,
 * whether every committed order still finishes by its drum deadline.
 */
export async function checkStoredSchedule(db: Db, plantId: string): Promise<PlantCheck> {
  const plant = await db.selectFrom('plants').select(['time_zone']).where('id', '=', plantId).executeTakeFirstOrThrow();
  const drum = await db
    .selectFrom('resources')
    .select(['calendar'])
    .where('plant_id', '=', plantId)
    .where('is_drum', '=', true)
    .executeTakeFirstOrThrow();
  const orders = await loadDrumOrders(db, plantId);
  const wt = buildWorkingTime({ timeZone: plant.time_zone, weekly: drum.calendar.weekly, exceptions: drum.calendar.exceptions ?? [] });
  const book = new DrumBook(wt, orders);
  const now = Math.floor(Date.now() / 60_000);
  return { plantId, committed: orders.length, feasible: book.feasible(now), minSlackMinutes: book.minSlack(now) };
}

/** Orders and events written by one actor in one plant (to compare with the responses counted). */
export async function countWrites(db: Db, plantId: string, createdBy: string) {
  const orders = await db
    .selectFrom('orders')
    .select([sql<number>`count(*)::int`.as('n'), sql<number>`count(distinct external_id)::int`.as('external')])
    .where('plant_id', '=', plantId)
    .where('created_by', 'like', `${createdBy}%`)
    .executeTakeFirstOrThrow();
  const events = await db
    .selectFrom('schedule_events')
    .select(['type', sql<number>`count(*)::int`.as('n')])
    .where('plant_id', '=', plantId)
    .groupBy('type')
    .execute();
  return {
    orders: orders.n,
    distinctExternalIds: orders.external,
    events: Object.fromEntries(events.map((e) => [e.type, e.n])) as Record<string, number>,
  };
}

export class CorrectnessError extends Error {
  override name = 'CorrectnessError';
}

export function must(ok: boolean, message: string) {
  if (!ok) throw new CorrectnessError(message);
}
