import { randomUUID } from 'node:crypto';
import type { Db } from '../src/db/database.ts';
import type { Role } from '../src/domain/actor.ts';
import { createApiKey } from '../src/domain/api-keys.ts';
import { putBufferPolicy } from '../src/domain/buffer-policy.ts';
import { systemClock } from '../src/domain/clock.ts';
import { createPlant } from '../src/domain/plants.ts';
import { putProduct } from '../src/domain/products.ts';
import { putResource } from '../src/domain/resources.ts';
import { fromMinute } from '../src/domain/schedule/plant-cache.ts';
import { standaloneScheduleDeps } from '../src/domain/schedule/schedule-writer.ts';
import { capacityPromiseDateFor, drumDeadlineFor, leadTimeFloorDate } from '../src/engine/index.ts';
import type { Weekday } from '../src/engine/calendar-types.ts';

export const BENCH_SKU = 'BENCH-1';
export const DRUM = 'drum';
export const TIME_ZONE = 'Europe/Berlin';
/** Planned drum load of seeded orders relative to its capacity (0.8: the drum is 80 % booked). */
const UTILISATION = 0.8;

const days: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
/**
 * Three 8-hour shifts, Monday to Saturday: 8640 drum minutes a week, so 100k orders of
 * 30–60 minutes fit in about twelve years; Sundays are free for added capacity.
 */
export const threeShifts = days.flatMap((day) => [
  { day, start: '00:00', end: '08:00' },
  { day, start: '08:00', end: '16:00' },
  { day, start: '16:00', end: '24:00' },
]);

/** A plant with one drum (3 shifts × 6 days), one product whose drum load is 1 minute per unit, and a buffer policy. */
export async function setupPlant(db: Db, plantId: string): Promise<void> {
  const deps = standaloneScheduleDeps(db, systemClock);
  await createPlant(db, { id: plantId, name: `Bench ${plantId}`, timeZone: TIME_ZONE });
  await putResource(deps, null, plantId, DRUM, { name: 'Bench drum', drum: true, calendar: { weekly: threeShifts, exceptions: [] } });
  await putProduct(deps, null, plantId, BENCH_SKU, {
    name: 'Bench part',
    routing: [{ resource: DRUM, setupMinutes: 0, runMinutesPerUnit: 1 }],
  });
  await putBufferPolicy(deps, null, plantId, {
    productionBufferDays: 6,
    shippingBufferDays: 3,
    standardLeadTimeDays: 5,
    holdTtlSeconds: 900,
  });
}

/** Deterministic order sizes of 30–60 units = 30–60 drum minutes. */
export const loadOf = (i: number) => 30 + ((i * 7919) % 31);

/**
 * Seeds `count` confirmed orders through the same write path as the service (ScheduleWriter:
 * plant lock, version bump, event, and the database's reschedule gate), 1000 rows per
 * transaction. Deadlines are chosen so that the drum is UTILISATION booked in EDF order,
 * and the engine asserts feasibility before each batch commits.
 */
export async function seedOrders(db: Db, plantId: string, count: number, batchSize = 1_000): Promise<void> {
  const { writer } = standaloneScheduleDeps(db, systemClock);
  let prefix: number | null = null;
  let i = 0;
  while (i < count) {
    const n = Math.min(batchSize, count - i);
    await writer.write(plantId, null, async (ctx) => {
      const { book, wt, config } = ctx.state;
      if (!book || !wt) throw new Error(`plant ${plantId} has no drum`);
      const { productionBufferDays: pb, shippingBufferDays: sb, standardLeadTimeDays } = config.policy;
      const c0 = wt.cumulative(ctx.nowMinute);
      const floor = leadTimeFloorDate(wt, ctx.nowMinute, standardLeadTimeDays);
      // Orders already on the drum come first: new ones are placed after their load.
      prefix ??= book.totalLoad;
      const rows = [];
      for (let k = 0; k < n; k++, i++) {
        const load = loadOf(i);
        prefix += load;
        const target = wt.instantAtCumulative(c0 + Math.ceil(prefix / UTILISATION));
        const byCapacity = capacityPromiseDateFor(wt, target, sb);
        const promiseDate = byCapacity < floor ? floor : byCapacity;
        const deadline = drumDeadlineFor(wt, promiseDate, sb);
        const id = randomUUID();
        const seq = ctx.nextSeq();
        rows.push({
          id,
          status: 'confirmed' as const,
          sku: BENCH_SKU,
          quantity: load,
          customer: `customer-${i % 200}`,
          external_id: null,
          requested_date: promiseDate,
          promise_date: promiseDate,
          drum_deadline: fromMinute(deadline),
          drum_load_minutes: load,
          production_buffer_days: pb,
          shipping_buffer_days: sb,
          seq,
          // Seeded in deadline order: the commit sequence is the drum sequence (keys far apart).
          drum_key: seq * 2 ** 20,
          // A drum-only product: its plan is the drum op alone, ready now (a row without a planned release is a legacy order the service would plan at start).
          planned_release_at: ctx.now,
          ready_at: ctx.now,
          hold_expires_at: null,
          created_by: 'bench:seed',
        });
      }
      await ctx.orders.insertMany(rows);
      if (!book.feasible(ctx.nowMinute))
        throw new Error(`seeding ${plantId}: batch ending at order ${i} would make the schedule infeasible`);
      ctx.emit({ type: 'bench.seeded', data: { orders: n, total: i } });
    });
  }
}

export type BenchKeys = Record<Role, string>;

export async function createKeys(db: Db): Promise<BenchKeys> {
  const keys = {} as BenchKeys;
  for (const role of ['admin', 'planner', 'sales', 'erp'] as const) {
    keys[role] = (await createApiKey(db, { name: `bench ${role}`, role, plantIds: null })).key;
  }
  return keys;
}

/** A date `n` days after today in UTC, "YYYY-MM-DD". */
export const daysFromNow = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
