import type { Db } from '../../db/database.ts';
import { floorOrderRows } from '../../db/repos/at-risk.ts';

export type FloorOrderRow = Awaited<ReturnType<typeof floorOrderRows>>[number];

/*
 * The floor lists' order rows, kept per (database, plant, schedule version). At 10k open orders
 * reading them is most of a buffer-board or release-list answer (0.4–0.6 s on the embedded
 * database; ranking and paging in memory take tens of ms), and they change only with the
 * schedule: every write to an order goes through the writer and stamps it with the plant's new
 * version, so a row set read at version v (or later) is what any read at v would see. Only the
 * rows are kept: penetration, due releases and overdue flags are computed from them per request
 * at the request's `now`, so an entry never goes stale with time. The floor screen asks for
 * both lists at once: the promise is shared, so they read once. A few plants' worth: LRU.
 */
const ENTRIES = 8;
const byDb = new WeakMap<Db, Map<string, Promise<readonly FloorOrderRow[]>>>();

/** The rows of floorOrderRows for the plant at `version` (the version the caller's state was read at). Shared: do not mutate. */
export function floorRowsAt(db: Db, plantId: string, version: number): Promise<readonly FloorOrderRow[]> {
  let cache = byDb.get(db);
  if (!cache) {
    cache = new Map<string, Promise<readonly FloorOrderRow[]>>();
    byDb.set(db, cache);
  }
  const key = `${plantId}\u0000${version}`;
  const hit = cache.get(key);
  if (hit) {
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const rows = floorOrderRows(db, plantId);
  cache.set(key, rows);
  // A failed read is not kept: the next request tries again.
  rows.catch(() => cache.get(key) === rows && cache.delete(key));
  // One entry per plant: an older version of this plant is never asked for again.
  for (const k of cache.keys()) if (k !== key && k.startsWith(`${plantId}\u0000`)) cache.delete(k);
  while (cache.size > ENTRIES) cache.delete(cache.keys().next().value!);
  return rows;
}
