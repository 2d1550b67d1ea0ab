import { findPlantTimeZone } from '../db/repos/plants.ts';
import { notFound } from './errors.ts';
import type { ScheduleDeps } from './schedule/schedule-writer.ts';

/**
 * The plant's IANA time zone, shown beside instants so a reader need not look it up. A plant's
 * zone is fixed when it is created, so the cached state is as good as the row; a cold plant
 * costs one primary-key read.
 */
export async function plantTimeZone(deps: Pick<ScheduleDeps, 'db' | 'cache'>, plantId: string): Promise<string> {
  const cached = deps.cache.peek(plantId)?.config.timeZone;
  if (cached) return cached;
  const zone = await findPlantTimeZone(deps.db, plantId);
  if (!zone) throw notFound(`Plant "${plantId}"`);
  return zone;
}
