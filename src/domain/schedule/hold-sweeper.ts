import { plantsWithExpiredHolds, plantsWithUnplannedOrders } from '../../db/repos/orders.ts';
import { purgeIdempotencyKeys } from '../idempotency-keys.ts';
import { toMinute } from './route-state.ts';
import { type ScheduleDeps } from './schedule-writer.ts';

/**
 * Expires holds and lets time pass on plans in the background, so capacity returns and
 * overdue releases move even when nobody writes to the plant. Correctness does not depend
 * on it: every schedule write expires due holds and ticks first, reads do not count expired
 * holds, and quotes and plan views apply the tick in memory.
 */
export async function sweepExpiredHolds(deps: ScheduleDeps): Promise<number> {
  const now = deps.clock.now();
  const plants = new Set((await plantsWithExpiredHolds(deps.db, now)).map((p) => p.plant_id));
  // Time passing (release-tick.ts) is applied by every write too; plants nobody writes to are ticked here.
  for (const id of deps.cache.plantsWithOverdueWork(toMinute(now))) plants.add(id);
  for (const plantId of plants) {
    await deps.writer.write(plantId, null, async () => undefined);
  }
  return plants.size;
}

/**
 * At start, before any request: plants with orders committed before whole-route planning get
 * one write each, whose head plans them (legacy-plans.ts), so no quote is answered on a plan
 * that ignores their work off the drum. Returns the plants written.
 */
export async function planLegacyOrdersAtStart(deps: ScheduleDeps): Promise<string[]> {
  const plants = await plantsWithUnplannedOrders(deps.db);
  for (const plantId of plants) await deps.writer.write(plantId, null, async () => undefined);
  return plants;
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
