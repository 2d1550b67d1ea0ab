import { byPriority, endOfLocalDate, penetration, type BufferZone } from '../../engine/index.ts';
import { invalid } from '../errors.ts';
import { mapInSlices, scheduleInSlices } from '../event-loop-slices.ts';
import { engineOf } from '../promising/evaluate.ts';
import { atRiskView } from '../promising/order-view.ts';
import { readState } from '../promising/read-state.ts';
import { fromMinute, toMinute } from '../schedule/plant-cache.ts';
import { ropeOf } from '../schedule/rope.ts';
import { floorRowsAt } from './floor-rows-cache.ts';
import type { ScheduleDeps } from '../schedule/schedule-writer.ts';
import { routePlanInSlices } from '../schedule/route-plan-slices.ts';

/**
 * The rope (design note whole-route.md §7): confirmed orders whose planned release — the
 * instant stored at commit, the first working minute of the first operation's resource on
 * the working day PB working days before the promise (earlier only when upstream work must
 * start earlier) — falls on or before the end of `date`. Orders promised before whole-route
 * planning have no stored release and keep the old rule (drum start − ⌈PB/2⌉ working days).
 * Sorted by planned release, then drum sequence. `overdue`: not released and now is past the
 * planned release. Cost: one route plan of the plant, O(n log m) in pages that yield
 * (routePlanInSlices), plus the old drum schedule walk (O(n), in slices) only when some
 * listed order is a legacy one. The rows come from floorRowsAt (read once per schedule
 * version); `page` picks rows from the ranked list, whose length is `total`.
 */
export async function releaseList(deps: ScheduleDeps, plantId: string, date?: string, page: Page = {}) {
  const state = await readState(deps, plantId);
  const { book, wt, route } = engineOf(state);
  const now = deps.clock.now();
  const nowMinute = toMinute(now);
  const today = wt.localDateOf(nowMinute);
  const day = date ?? today;
  if (day < today)
    throw invalid([
      { field: 'querystring.date', message: `${day} is in the past (today is ${today}); the rope only releases from now on` },
    ]);
  const rows = new Map((await floorRowsAt(deps.db, plantId, state.version)).filter((r) => r.status === 'confirmed').map((r) => [r.id, r]));
  const plans = (await routePlanInSlices(state, route, nowMinute)).filter((p) => rows.get(p.id)?.status === 'confirmed');
  const legacy = plans.some((p) => p.plannedRelease === null)
    ? new Map((await scheduleInSlices(book, nowMinute, state.config.policy.productionBufferDays)).map((s) => [s.id, s.release]))
    : undefined;
  const until = endOfLocalDate(wt, day);
  const ranked = plans
    .map((p, sequence) => ({ p, sequence, rope: ropeOf(p, route.drumId, () => legacy?.get(p.id) ?? nowMinute) }))
    .filter((e) => e.rope.plannedRelease < until)
    .sort((a, b) => a.rope.plannedRelease - b.rope.plannedRelease || a.sequence - b.sequence);
  const { from, to, nextOffset } = pageOf(ranked.length, page);
  const items = ranked.slice(from, to).map(({ p, rope }, i) => {
    const r = rows.get(p.id)!;
    return {
      priority: from + i + 1,
      orderId: p.id,
      sku: r.sku,
      quantity: r.quantity,
      customer: r.customer,
      promiseDate: r.promise_date,
      plannedRelease: iso(rope.plannedRelease)!,
      releaseDate: wt.localDateOf(rope.plannedRelease),
      queueMinutes: rope.queueMinutes,
      plannedDrumStart: iso(rope.drumStart),
      projectedFinish: iso(rope.projectedFinish),
      drumLoadMinutes: rope.drumMinutes,
      overdue: now.getTime() > fromMinute(rope.plannedRelease).getTime(),
    };
  });
  return {
    plant: plantId,
    date: day,
    scheduleVersion: state.version,
    computedAt: now.toISOString(),
    total: ranked.length,
    nextOffset,
    items,
  };
}

/** Rows to show: `limit` from `offset` (no limit: all from offset). */
interface Page {
  limit?: number | undefined;
  offset?: number | undefined;
}

function pageOf(total: number, { limit, offset = 0 }: Page) {
  const from = Math.min(offset, total);
  const to = limit === undefined ? total : Math.min(total, from + limit);
  return { from, to, nextOffset: to < total ? to : null };
}

const iso = (m: number) => (Number.isFinite(m) ? fromMinute(m).toISOString() : null);

/**
 * Released, unfinished orders, and confirmed ones whose planned release is due or overdue
 * (`releaseDue`: the floor should release them now), by production-buffer penetration (drum
 * working time, DOMAIN.md; see engine/buffer-status.ts), highest first: the floor's priority
 * list. Each shows its stored at-risk flag. `counts` are over the whole board, `items` the
 * page asked for; penetration is computed for every order (the rank needs it), the rows only
 * for the page.
 */
export async function bufferBoard(deps: ScheduleDeps, plantId: string, page: Page = {}, scope: 'all' | 'in-work' = 'all') {
  const state = await readState(deps, plantId);
  const { wt } = engineOf(state);
  const now = deps.clock.now();
  const nowMinute = toMinute(now);
  const at = now.getTime();
  const rows = (await floorRowsAt(deps.db, plantId, state.version)).filter(
    (r) => r.status !== 'confirmed' || (scope === 'all' && r.planned_release_at !== null && r.planned_release_at.getTime() <= at),
  );
  const byId = new Map(rows.map((r) => [r.id, r]));
  // Penetration per order in slices that yield (the O(n) part); the sort is the engine's order.
  const ranked = (
    await mapInSlices(rows, (r) =>
      penetration(wt, { id: r.id, promiseDate: r.promise_date, productionBufferDays: r.production_buffer_days }, nowMinute),
    )
  ).sort(byPriority);
  const counts: Record<BufferZone, number> = { green: 0, yellow: 0, red: 0, black: 0 };
  for (const b of ranked) counts[b.zone]++;
  const { from, to, nextOffset } = pageOf(ranked.length, page);
  const items = ranked.slice(from, to).map((b, i) => {
    const r = byId.get(b.id)!;
    return {
      priority: from + i + 1,
      orderId: b.id,
      sku: r.sku,
      quantity: r.quantity,
      customer: r.customer,
      status: r.status as 'confirmed' | 'released' | 'in_progress',
      releaseDue: r.status === 'confirmed',
      plannedRelease: r.planned_release_at?.toISOString() ?? null,
      promiseDate: r.promise_date,
      productionBufferDays: r.production_buffer_days,
      penetration: Math.round(b.percent * 100) / 100,
      zone: b.zone,
      bufferMinutes: b.bufferMinutes,
      leftMinutes: b.leftMinutes,
      due: fromMinute(b.due).toISOString(),
      drumMinutesDone: r.drum_done_minutes,
      drumLoadMinutes: r.drum_load_minutes,
      atRisk: atRiskView(r),
    };
  });
  return {
    plant: plantId,
    scheduleVersion: state.version,
    computedAt: now.toISOString(),
    counts,
    atRiskCount: rows.filter((r) => r.at_risk).length,
    total: ranked.length,
    nextOffset,
    items,
  };
}
