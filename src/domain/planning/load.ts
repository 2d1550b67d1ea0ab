import { activeCapacityChanges } from '../../db/repos/capacity-changes.ts';
import { committedOrderLines } from '../../db/repos/planning-reports.ts';
import { listResourceRows } from '../../db/repos/resources.ts';
import { buildWorkingTime, endOfLocalDate, nextLocalDate, type WorkingTime } from '../../engine/index.ts';
import { effectiveCalendar } from '../../planning-rules/effective-calendar.ts';
import { invalid } from '../errors.ts';
import { engineOf } from '../promising/evaluate.ts';
import { readState } from '../promising/read-state.ts';
import { toMinute } from '../schedule/plant-cache.ts';
import type { ScheduleDeps } from '../schedule/schedule-writer.ts';

export interface LoadQuery {
  from: string;
  to: string;
  granularity: 'day' | 'week';
  threshold: number;
}

const MAX_DAYS = 366;
const round2 = (x: number) => Math.round(x * 100) / 100;

/** Monday of the ISO week a local date is in: weeks are keyed by their Monday. */
function weekOf(date: string): string {
  const dow = (new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7;
  return nextLocalDate(date, -dow);
}

/**
 * Load per resource and period against its calendar capacity (with capacity changes).
 * Only the drum is scheduled minute by minute; for the other resources S-DBR assumes
 * protective capacity and watches their load, so each operation is placed on one day:
 * operations before the drum on the order's rope release day (when that work can first
 * start), operations after it on the day its drum work finishes. A resource above the
 * threshold in some period is flagged as a possible wandering bottleneck.
 */
export async function resourceLoad(deps: ScheduleDeps, plantId: string, q: LoadQuery) {
  if (q.to < q.from) throw invalid([{ field: 'querystring.to', message: `${q.to} is before ${q.from}` }]);
  const days: string[] = [];
  for (let d = q.from; d <= q.to; d = nextLocalDate(d)) {
    if (days.length >= MAX_DAYS) throw invalid([{ field: 'querystring.to', message: `At most ${MAX_DAYS} days per request` }]);
    days.push(d);
  }
  const state = await readState(deps, plantId);
  const { book, wt: drumWt } = engineOf(state);
  const now = deps.clock.now();
  const nowMinute = toMinute(now);
  const today = drumWt.localDateOf(nowMinute);
  const drumId = state.config.drum!.id;

  const resources = await listResourceRows(deps.db, plantId);
  const changes = await activeCapacityChanges(deps.db, plantId);
  const calendars = new Map<string, WorkingTime>();
  for (const r of resources) {
    const own = changes.filter((c) => c.resource_id === r.id);
    calendars.set(r.id, buildWorkingTime(effectiveCalendar(state.config.timeZone, r.calendar, own)));
  }

  // load[resource][day] in minutes
  const load = new Map<string, Map<string, number>>(resources.map((r) => [r.id, new Map()]));
  const add = (resource: string, day: string, minutes: number) => {
    const m = load.get(resource);
    if (m && day >= q.from && day <= q.to) m.set(day, (m.get(day) ?? 0) + minutes);
  };
  const open = await committedOrderLines(deps.db, plantId);
  const rows = new Map(open.map((r) => [r.id, r]));
  const planned = book.schedule(nowMinute, state.config.policy.productionBufferDays);
  let drumBusyUntil = nowMinute;
  for (const s of planned) {
    const row = rows.get(s.id);
    const routing = row ? state.config.products.get(row.sku)?.routing : undefined;
    if (!row || !routing) continue;
    if (Number.isFinite(s.finish)) drumBusyUntil = Math.max(drumBusyUntil, s.finish);
    const drumAt = routing.findIndex((op) => op.resource === drumId);
    routing.forEach((op, i) => {
      if (op.resource === drumId) return;
      const minutes = op.setupMinutes + row.quantity * op.runMinutesPerUnit;
      if (i < drumAt) {
        // Work before the drum is behind us once the drum has started on the order.
        if (row.status === 'in_progress') return;
        add(op.resource, row.status === 'released' ? today : s.releaseDate, minutes);
      } else if (Number.isFinite(s.finish)) add(op.resource, drumWt.localDateOf(s.finish), minutes);
    });
  }
  // The drum works its committed orders back to back from now, so its busy minutes in a
  // day are exactly its working minutes between now and the last planned finish.
  for (const d of days) {
    const a = Math.max(nowMinute, drumWt.startOfLocalDate(d));
    const b = Math.min(drumBusyUntil, endOfLocalDate(drumWt, d));
    if (b > a) add(drumId, d, drumWt.minutesBetween(a, b));
  }

  const periodOf = (d: string) => (q.granularity === 'week' ? weekOf(d) : d);
  const out = resources.map((r) => {
    const wt = calendars.get(r.id)!;
    const periods = new Map<string, { start: string; end: string; loadMinutes: number; capacityMinutes: number }>();
    for (const d of days) {
      const key = periodOf(d);
      const p = periods.get(key) ?? { start: d, end: d, loadMinutes: 0, capacityMinutes: 0 };
      p.end = d;
      p.loadMinutes += load.get(r.id)!.get(d) ?? 0;
      p.capacityMinutes += wt.minutesBetween(wt.startOfLocalDate(d), endOfLocalDate(wt, d));
      periods.set(key, p);
    }
    const list = [...periods.values()].map((p) => {
      const utilisation = p.capacityMinutes > 0 ? p.loadMinutes / p.capacityMinutes : p.loadMinutes > 0 ? Infinity : 0;
      return {
        start: p.start,
        end: p.end,
        loadMinutes: round2(p.loadMinutes),
        capacityMinutes: p.capacityMinutes,
        utilisation: Number.isFinite(utilisation) ? round2(utilisation) : null,
        overThreshold: utilisation > q.threshold,
      };
    });
    return { resource: r.id, name: r.name, drum: r.is_drum, periods: list, flagged: !r.is_drum && list.some((p) => p.overThreshold) };
  });
  return {
    plant: plantId,
    from: q.from,
    to: q.to,
    granularity: q.granularity,
    threshold: q.threshold,
    scheduleVersion: state.version,
    computedAt: now.toISOString(),
    resources: out,
    possibleWanderingBottlenecks: out.filter((r) => r.flagged).map((r) => r.resource),
  };
}
