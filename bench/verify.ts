import { sql } from 'kysely';
import type { Db } from '../src/db/database.ts';
import { buildWorkingTime, DrumBook } from '../src/engine/index.ts';
import { loadDrumOrders } from './drum-orders.ts';
import { COMMITTED } from '../src/db/repos/orders.ts';
import { loadPlantConfig } from '../src/domain/schedule/plant-config.ts';

export interface PlantCheck {
  plantId: string;
  committed: number;
  feasible: boolean;
  minSlackMinutes: number;
  /** Orders a recorded fact made late, held to their stored effective drum deadline instead of their own. */
  explainedByFacts: number;
}

/**
 * Reads the stored schedule back and asks the engine, independently of any service cache,
 * whether every committed order still finishes by its drum deadline. Infeasibility is
 * accepted only where a fact explains it (issue 13): an order a fact made late is held to its
 * stored effective drum deadline instead of its own.
 */
export async function checkStoredSchedule(
  db: Db,
  plantId: string,
  now = Math.floor(Date.now() / 60_000),
  options: { factsExplain?: boolean } = {},
): Promise<PlantCheck> {
  // The drum's effective calendar: its own plus the capacity changes (a breakdown's downtime among them).
  const config = await loadPlantConfig(db, plantId);
  if (!config.drum) throw new Error(`plant ${plantId} has no drum`);
  // Only a recorded fact (time passing, a breakdown, late progress, a go-live load) stores an
  // effective drum deadline past the order's own (D̂ > D, docs/engine.md).
  const explained = new Map(
    options.factsExplain === false
      ? []
      : (
          await db
            .selectFrom('orders')
            .select(['id', 'effective_deadline'])
            .where('plant_id', '=', plantId)
            .where('status', 'in', COMMITTED)
            .where('effective_deadline', 'is not', null)
            .where(sql<boolean>`effective_deadline > drum_deadline`)
            .execute()
        ).map((r) => [r.id, Math.floor(r.effective_deadline!.getTime() / 60_000)]),
  );
  const orders = (await loadDrumOrders(db, plantId)).map((o) => {
    const late = explained.get(o.id);
    return late !== undefined ? { ...o, deadline: late } : o;
  });
  const book = new DrumBook(buildWorkingTime(config.drum.calendar), orders);
  return {
    plantId,
    committed: orders.length,
    feasible: book.feasible(now),
    minSlackMinutes: book.minSlack(now),
    explainedByFacts: explained.size,
  };
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
