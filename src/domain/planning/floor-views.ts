import { ordersWithStatus } from '../../db/repos/planning-reports.ts';
import { byPriority, penetration, type BufferZone } from '../../engine/index.ts';
import { invalid } from '../errors.ts';
import { mapInSlices, scheduleInSlices } from '../event-loop-slices.ts';
import { engineOf } from '../promising/evaluate.ts';
import { readState } from '../promising/read-state.ts';
import { fromMinute, toMinute } from '../schedule/plant-cache.ts';
import type { ScheduleDeps } from '../schedule/schedule-writer.ts';

/**
 * The rope: confirmed orders whose material release date (drum start − ⌈PB/2⌉ working days)
 * is on or before `date`, in drum sequence — the order the drum will need them in.
 * `overdue` marks orders whose release date has already passed without a release.
 */
export async function releaseList(deps: ScheduleDeps, plantId: string, date?: string) {
  const state = await readState(deps, plantId);
  const { book, wt } = engineOf(state);
  const now = deps.clock.now();
  const nowMinute = toMinute(now);
  const today = wt.localDateOf(nowMinute);
  const day = date ?? today;
  if (day < today)
    throw invalid([
      { field: 'querystring.date', message: `${day} is in the past (today is ${today}); the rope only releases from now on` },
    ]);
  const rows = new Map((await ordersWithStatus(deps.db, plantId, ['confirmed'])).map((r) => [r.id, r]));
  const items = (await scheduleInSlices(book, nowMinute, state.config.policy.productionBufferDays))
    .filter((s) => rows.get(s.id)?.status === 'confirmed' && s.releaseDate <= day)
    .map((s, i) => {
      const r = rows.get(s.id)!;
      return {
        priority: i + 1,
        orderId: s.id,
        sku: r.sku,
        quantity: r.quantity,
        customer: r.customer,
        promiseDate: r.promise_date,
        releaseDate: s.releaseDate,
        plannedDrumStart: fromMinute(s.start).toISOString(),
        drumLoadMinutes: s.load,
        overdue: s.releaseDate < today,
      };
    });
  return { plant: plantId, date: day, scheduleVersion: state.version, computedAt: now.toISOString(), items };
}

/**
 * Released, unfinished orders by production-buffer penetration (drum working time; see
 * engine/buffer-status.ts), highest first: the floor's priority list.
 */
export async function bufferBoard(deps: ScheduleDeps, plantId: string) {
  const state = await readState(deps, plantId);
  const { wt } = engineOf(state);
  const now = deps.clock.now();
  const nowMinute = toMinute(now);
  const rows = await ordersWithStatus(deps.db, plantId, ['released', 'in_progress']);
  const byId = new Map(rows.map((r) => [r.id, r]));
  // Penetration per order in slices that yield (the O(n) part); the sort is the engine's order.
  const ranked = (
    await mapInSlices(rows, (r) =>
      penetration(wt, { id: r.id, promiseDate: r.promise_date, productionBufferDays: r.production_buffer_days }, nowMinute),
    )
  ).sort(byPriority);
  const counts: Record<BufferZone, number> = { green: 0, yellow: 0, red: 0, black: 0 };
  const items = ranked.map((b, i) => {
    const r = byId.get(b.id)!;
    counts[b.zone]++;
    return {
      priority: i + 1,
      orderId: b.id,
      sku: r.sku,
      quantity: r.quantity,
      customer: r.customer,
      status: r.status as 'released' | 'in_progress',
      promiseDate: r.promise_date,
      productionBufferDays: r.production_buffer_days,
      penetration: Math.round(b.percent * 100) / 100,
      zone: b.zone,
      bufferMinutes: b.bufferMinutes,
      leftMinutes: b.leftMinutes,
      due: fromMinute(b.due).toISOString(),
      drumMinutesDone: r.drum_done_minutes,
      drumLoadMinutes: r.drum_load_minutes,
    };
  });
  return { plant: plantId, scheduleVersion: state.version, computedAt: now.toISOString(), counts, items };
}
