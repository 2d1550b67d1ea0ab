import { committedOrdersByIds } from '../../db/repos/orders.ts';
import { endOfLocalDate, nextLocalDate, type LocalDate, type Minute, type WorkingTime } from '../../engine/index.ts';
import { bucketLoad, PlannedLoad } from '../../planning-rules/load-buckets.ts';
import { invalid } from '../errors.ts';
import { SLICE_SIZE, yieldToEventLoop } from '../event-loop-slices.ts';
import { engineOf } from '../promising/evaluate.ts';
import { readState } from '../promising/read-state.ts';
import { fromMinute, toMinute } from '../schedule/plant-cache.ts';
import { workingTimesOf } from '../schedule/route-state.ts';
import type { ScheduleDeps } from '../schedule/schedule-writer.ts';
import { routePlanInSlices } from '../schedule/route-plan-slices.ts';
import { listResourceRows } from '../../db/repos/resources.ts';

/** Longest range one request may ask for: about a quarter, what a Gantt screen can show. */
const MAX_TIMELINE_DAYS = 92;
/** Default range: today and the next four weeks. */
const DEFAULT_DAYS = 29;

export interface TimelineQuery {
  from?: LocalDate | undefined;
  to?: LocalDate | undefined;
}

type OpenStatus = 'held' | 'confirmed' | 'released' | 'in_progress';

const iso = (m: Minute) => fromMinute(m).toISOString();
const isoOrNull = (m: Minute) => (Number.isFinite(m) ? iso(m) : null);

/**
 * A calendar's working stretches [start, end) inside [a, b), read through the WorkingTime
 * interface only: the first working minute at or after t, then the longest run from it in which
 * every minute works (a binary search on cumulative capacity). O(stretches × log range).
 */
export function workingIntervals(wt: WorkingTime, a: Minute, b: Minute): [Minute, Minute][] {
  const out: [Minute, Minute][] = [];
  let t = a;
  while (t < b && wt.minutesBetween(t, b) > 0) {
    const start = wt.addWorkingMinutes(t, 1) - 1;
    const base = wt.cumulative(start);
    const full = (e: Minute) => wt.cumulative(e) - base === e - start;
    let lo = start + 1; // full(lo) holds
    let hi = b;
    if (full(hi)) lo = hi;
    else {
      // Invariant: full(lo), !full(hi).
      while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2);
        if (full(mid)) lo = mid;
        else hi = mid;
      }
    }
    out.push([start, lo]);
    t = lo;
  }
  return out;
}

/**
 * The published plan per resource over local dates [from, to] (issue 17's timeline screen):
 * each resource's working stretches on its own calendar, the planned intervals of open orders
 * on it that meet the range (with the order's status and, for a hold, its expiry), and the days
 * whose planned load exceeds the day's capacity. The same published route plans as GET …/plan
 * and the load report (routePlanInSlices, PlannedLoad), so the three agree; nothing is planned
 * here. `frozenUntil`: the end of the frozen window from now (policy frozenWindowMinutes).
 */
export async function plantTimeline(
  deps: ScheduleDeps & { planningHorizonDays: number },
  plantId: string,
  q: TimelineQuery,
  ifVersion?: (version: number, from: LocalDate, to: LocalDate) => boolean,
) {
  const now = deps.clock.now();
  const nowMinute = toMinute(now);
  const state = await readState(deps, plantId, now);
  const { route, wt: drumWt } = engineOf(state);
  const today = drumWt.localDateOf(nowMinute);
  const from = q.from ?? today;
  const to = q.to ?? (q.from === undefined ? nextLocalDate(today, DEFAULT_DAYS - 1) : nextLocalDate(from, DEFAULT_DAYS - 1));
  if (to < from) throw invalid([{ field: 'querystring.to', message: `${to} is before ${from}` }]);
  const days: LocalDate[] = [];
  for (let d = from; d <= to; d = nextLocalDate(d)) {
    if (days.length >= MAX_TIMELINE_DAYS)
      throw invalid([{ field: 'querystring.to', message: `At most ${MAX_TIMELINE_DAYS} days per request` }]);
    days.push(d);
  }
  if (ifVersion?.(state.version, from, to)) return { notModified: true as const, version: state.version, from, to };

  const rangeStart = drumWt.startOfLocalDate(from);
  const rangeEnd = endOfLocalDate(drumWt, to);
  const wts = workingTimesOf(state.config);
  const load = new PlannedLoad(wts, days, nowMinute);
  const plans = await routePlanInSlices(state, route, nowMinute);
  const byResource = new Map<string, { orderId: string; position: number; start: Minute; end: Minute; minutes: number }[]>();
  for (let i = 0; i < plans.length; i++) {
    if (i > 0 && i % SLICE_SIZE === 0) await yieldToEventLoop();
    const p = plans[i]!;
    for (const op of p.operations) {
      load.add(op);
      // Unreserved (legacy) operations have no interval to draw.
      if (op.reserved === false || op.end <= op.start || op.start >= rangeEnd || op.end <= rangeStart) continue;
      const list = byResource.get(op.resource) ?? [];
      list.push({ orderId: p.id, position: op.position, start: op.start, end: op.end, minutes: op.minutes });
      byResource.set(op.resource, list);
    }
  }
  const shown = [...new Set([...byResource.values()].flatMap((l) => l.map((x) => x.orderId)))];
  const rows = await committedOrdersByIds(deps.db, plantId, shown);
  const names = new Map((await listResourceRows(deps.db, plantId)).map((r) => [r.id, r.name]));

  const resources = [];
  for (const r of state.config.resources.values()) {
    const wt = wts.get(r.id)!;
    const intervals = (byResource.get(r.id) ?? [])
      .sort((a, b) => a.start - b.start)
      .flatMap((x) => {
        const row = rows.get(x.orderId);
        if (!row) return [];
        return [
          {
            orderId: x.orderId,
            // committedOrdersByIds reads committed (open) orders only.
            status: row.status as OpenStatus,
            holdExpiresAt: row.status === 'held' ? (row.hold_expires_at?.toISOString() ?? null) : null,
            start: iso(x.start),
            end: isoOrNull(x.end),
            minutes: x.minutes,
            position: x.position,
          },
        ];
      });
    const perDay = load.result(r.id)!.byDay;
    const overloadedDays = bucketLoad(wt, days, perDay, 'day', 1)
      .filter((d) => d.overThreshold)
      .map((d) => ({ date: d.start, loadMinutes: d.loadMinutes, capacityMinutes: d.capacityMinutes }));
    resources.push({
      id: r.id,
      name: names.get(r.id) ?? r.id,
      isDrum: r.isDrum,
      calendar: workingIntervals(wt, rangeStart, rangeEnd).map(([s, e]) => ({ start: iso(s), end: iso(e) })),
      intervals,
      overloadedDays,
    });
  }
  return {
    notModified: false as const,
    body: {
      plant: plantId,
      from,
      to,
      plantVersion: state.version,
      computedAt: now.toISOString(),
      frozenUntil: iso(nowMinute + state.config.policy.frozenWindowMinutes),
      resources,
    },
  };
}
