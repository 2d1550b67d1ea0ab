import type { PlantState } from '../schedule/plant-cache.ts';
import { toMinute } from '../schedule/plant-cache.ts';
import { type ScheduleDeps } from '../schedule/schedule-writer.ts';
import { notFound } from '../errors.ts';
import { timePassedCopy } from '../schedule/release-tick.ts';
import { plantVersions } from '../../db/repos/plant-versions.ts';
import type { DbOrTx } from '../../db/database.ts';

/**
 * The engine state for a read: one indexed lookup of the plant's versions (none while the
 * change feed says the cache is fresh), then the cache; the configuration is loaded only
 * when it changed. A read never writes: a hold past its expiry is simply not counted (the
 * sweep or the next write expires it), so expiry never waits for the background sweep.
 *
 * A read sees the last committed state, never a write batch's changes while its transaction
 * is open (PlantCache.take): while a batch of this process holds the plant (from its lock to
 * its commit), the read waits for its turn, behind that batch (≈ one batch of latency under write load; the
 * turns are first come, first served, so a stream of batches cannot starve it). With no
 * batch in flight the hot path is unchanged: one map lookup more, no wait, no query. The
 * caller uses the state before its next await (the next batch gives it a turn of the event
 * loop before it changes anything).
 */
export async function readState(deps: ScheduleDeps, plantId: string, now: Date = deps.clock.now()): Promise<PlantState> {
  return readStateNow(deps, plantId, now) ?? (await syncFromDatabase(deps, plantId)).forRead(toMinute(now));
}

/**
 * readState's hot path without a promise: the state for a read at `now` when the change feed
 * says the cache is fresh and no batch holds the plant, else undefined (then await readState).
 * A quote takes it so the common case does not wait a turn of the microtask queue.
 */
export function readStateNow(deps: ScheduleDeps, plantId: string, now: Date): PlantState | undefined {
  const cached = !deps.cache.busy(plantId) && deps.feed?.isFresh(plantId) ? deps.cache.peek(plantId) : undefined;
  return cached?.forRead(toMinute(now));
}

/**
 * For a read that awaits the database while it works on the engine state (a capacity change's
 * preview): `fn` runs holding the plant's turn, so no write batch changes the state midway
 * (readState's callers must use it before their next await; these cannot). Its queries go
 * through `db`, the connection taken before the turn. The plant's writes in this process wait
 * for it: keep `fn` to a preview's few queries. The state has the time passed since the last
 * write applied (timePassedCopy), as the write the preview stands for would apply it first;
 * `timePassed: false` for a read of the configuration only (no copy of the plant's orders).
 */
export async function readStateHeld<T>(
  deps: ScheduleDeps,
  plantId: string,
  fn: (state: PlantState, db: DbOrTx) => Promise<T>,
  now: Date = deps.clock.now(),
  { timePassed = true }: { timePassed?: boolean } = {},
): Promise<T> {
  const nowMinute = toMinute(now);
  return withTurn(deps, plantId, (state, conn) => {
    const read = state.forRead(nowMinute);
    return fn(timePassed ? timePassedCopy(read, nowMinute) : read, conn);
  });
}

const syncFromDatabase = (deps: ScheduleDeps, plantId: string) => withTurn(deps, plantId, async (state) => state);

/**
 * The connection comes first, the plant's turn second: a batch waiting for the turn holds a
 * connection (and the plant's row lock), so a reader that took the turn and only then asked
 * the pool for a connection could wait for it forever under load. Holding one before the turn,
 * the turn's holder never waits for the pool.
 */
async function withTurn<T>(deps: ScheduleDeps, plantId: string, fn: (state: PlantState, conn: DbOrTx) => Promise<T>): Promise<T> {
  const token = deps.feed?.token(plantId) ?? 0;
  return deps.db.connection().execute(async (conn) => {
    const plant = await plantVersions(conn, plantId);
    if (!plant) throw notFound(`Plant "${plantId}"`);
    // A batch that committed while we waited leaves the state ahead of these versions: sync keeps it.
    const give = await deps.cache.take(plantId);
    try {
      const state = await deps.cache.sync(conn, plantId, plant.schedule_version, plant.config_version);
      deps.feed?.markSynced(plantId, token);
      return await fn(state, conn);
    } finally {
      give();
    }
  });
}
