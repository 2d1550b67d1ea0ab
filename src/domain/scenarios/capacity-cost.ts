import type { CapacityChangeRow } from '../../db/repos/capacity-changes.ts';
import { buildWorkingTime, workingStretches, type LocalDate, type Minute } from '../../engine/index.ts';
import { blockWindow } from '../../planning-rules/capacity-days.ts';
import { resourcePolicy } from '../capacity-policy.ts';
import type { PlantConfig } from '../schedule/plant-config.ts';

type Interval = [Minute, Minute];

/**
 * What the plant pays for the overtime and extra shifts in force from `today` on, priced as
 * the proposals price their blocks: the working minutes each change actually adds on its
 * resource's calendar (none where a shift already works, where downtime cancels it, or where
 * an earlier change already added them; the clock change's hour where DST falls inside it),
 * times the policy's cost per hour for its kind. An extra shift in the policy's night window
 * costs the night rate (a proposal posts its night work as an extra shift).
 */
export function capacityCost(config: PlantConfig, changes: readonly CapacityChangeRow[], today: LocalDate): number {
  const byResource = new Map<string, CapacityChangeRow[]>();
  for (const c of changes) {
    if (c.date < today || (c.kind !== 'overtime' && c.kind !== 'extra_shift') || !c.start_time || !c.end_time) continue;
    const list = byResource.get(c.resource_id);
    if (list) list.push(c);
    else byResource.set(c.resource_id, [c]);
  }
  let cost = 0;
  for (const [resource, list] of byResource) {
    const calendar = config.resources.get(resource)?.calendar;
    if (!calendar) continue;
    const notes = new Set(list.map((c) => `capacity change ${c.id}`));
    const all = buildWorkingTime(calendar);
    const base = buildWorkingTime({ ...calendar, exceptions: calendar.exceptions.filter((e) => !notes.has(e.note ?? '')) });
    const policy = resourcePolicy(config.capacityPolicy, resource);
    const priced: Interval[] = [];
    // In the calendar's order: minutes two changes both add are the first one's.
    for (const c of list) {
      const [from, to] = blockWindow(config.timeZone, { date: c.date, start: c.start_time, end: c.end_time });
      const added = subtract(subtract(workingStretches(all, from, to), workingStretches(base, from, to)), priced);
      priced.push(...added);
      for (const [a, b] of added) {
        const night =
          c.kind === 'extra_shift' && policy.nightShift.enabled
            ? overlap([a, b], nightWindows(config.timeZone, c.date, policy.nightShift))
            : 0;
        const rate = c.kind === 'overtime' ? policy.overtime.costPerHour : policy.extraShift.costPerHour;
        cost += ((b - a - night) / 60) * rate + (night / 60) * policy.nightShift.costPerHour;
      }
    }
  }
  return Math.round(cost * 100) / 100;
}

/**
 * The policy's night work on `date`, as the proposals place it (DST-correct): a window that
 * crosses midnight (22:00–06:00) is [00:00, end) and [start, 24:00) local; one that does not
 * (00:00–06:00) is [start, end).
 */
function nightWindows(timeZone: string, date: LocalDate, night: { start: string; end: string }): Interval[] {
  if (night.start < night.end) return [blockWindow(timeZone, { date, start: night.start, end: night.end })];
  return union([
    blockWindow(timeZone, { date, start: '00:00', end: night.end }),
    blockWindow(timeZone, { date, start: night.start, end: '24:00' }),
  ]);
}

function union(intervals: readonly Interval[]): Interval[] {
  const out: Interval[] = [];
  for (const [a, b] of [...intervals].sort((x, y) => x[0] - y[0])) {
    const last = out.at(-1);
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

function overlap([a, b]: Interval, windows: readonly Interval[]): number {
  return windows.reduce((n, [x, y]) => n + Math.max(0, Math.min(b, y) - Math.max(a, x)), 0);
}

/** The parts of `from` outside every interval of `cut`. */
function subtract(from: readonly Interval[], cut: readonly Interval[]): Interval[] {
  let pieces: Interval[] = [...from];
  for (const [x, y] of cut)
    pieces = pieces.flatMap(([p, q]): Interval[] => {
      if (y <= p || x >= q) return [[p, q]];
      const out: Interval[] = [];
      if (x > p) out.push([p, x]);
      if (y < q) out.push([y, q]);
      return out;
    });
  return pieces;
}
