import type { PlantState } from '../schedule/plant-cache.ts';
import { toMinute } from '../schedule/plant-cache.ts';
import { type ScheduleDeps } from '../schedule/schedule-writer.ts';
import { notFound } from '../errors.ts';

/**
 * The engine state for a read: one indexed lookup of the plant's versions, then the cache.
 * A hold that has expired is expired (a write) before the answer, so expiry never waits for
 * the background sweep.
 */
export async function readState(deps: ScheduleDeps, plantId: string): Promise<PlantState> {
  const cached = deps.feed?.isFresh(plantId) ? deps.cache.peek(plantId) : undefined;
  const state = cached ?? (await syncFromDatabase(deps, plantId));
  if (state.hasExpiredHold(toMinute(deps.clock.now()))) {
    return (await deps.writer.write(plantId, null, async () => undefined)).state;
  }
  return state;
}

async function syncFromDatabase(deps: ScheduleDeps, plantId: string): Promise<PlantState> {
  const token = deps.feed?.token(plantId) ?? 0;
  const plant = await deps.db
    .selectFrom('plants')
    .select(['schedule_version', 'config_version'])
    .where('id', '=', plantId)
    .executeTakeFirst();
  if (!plant) throw notFound(`Plant "${plantId}"`);
  const state = await deps.cache.sync(deps.db, plantId, plant.schedule_version, plant.config_version);
  deps.feed?.markSynced(plantId, token);
  return state;
}
