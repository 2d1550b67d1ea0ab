import { plantsWithExpiredHolds } from '../../db/repos/orders.ts';
import { purgeIdempotencyKeys } from '../idempotency-keys.ts';
import { type ScheduleDeps } from './schedule-writer.ts';

/**
 * Expires holds in the background so their capacity returns even when nobody reads the
 * plant. Correctness does not depend on it: every schedule write expires due holds first,
 * and reads do not count them.
 */
export async function sweepExpiredHolds(deps: ScheduleDeps): Promise<number> {
  const now = deps.clock.now();
  const plants = await plantsWithExpiredHolds(deps.db, now);
  for (const { plant_id } of plants) {
    await deps.writer.write(plant_id, null, async () => undefined);
  }
  return plants.length;
}

export function startHoldSweeper(deps: ScheduleDeps, intervalMs: number, onError: (e: unknown) => void) {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    sweepExpiredHolds(deps)
      .then(() => purgeIdempotencyKeys(deps.db, deps.clock.now()))
      .catch(onError)
      .finally(() => {
        running = false;
      });
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
