import type { Clock } from './clock.ts';
import { DomainError, type FieldError } from './errors.ts';

/** About five years: the default reach of every date the API accepts and of every engine search. */
export const DEFAULT_PLANNING_HORIZON_DAYS = 1826;

export interface HorizonDeps {
  clock: Clock;
  /** Days from today (UTC) that dates may lie in either direction. */
  planningHorizonDays: number;
}

const DAY_MS = 86_400_000;

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * The dates the API accepts: [today − horizon, today + horizon], today in UTC. The plant's
 * time zone moves "today" by at most a day, which does not matter at this scale; what
 * matters is that no request can send the engine years past the horizon (year 9999) or
 * before its calendars (year 0001).
 */
function planningWindow(now: Date, horizonDays: number): { earliest: string; latest: string } {
  const today = Math.floor(now.getTime() / DAY_MS) * DAY_MS;
  // Every request asks this; the answer changes once a day: formatting two dates each time cost ≈ 1 µs a request.
  if (lastWindow.today !== today || lastWindow.horizonDays !== horizonDays) {
    lastWindow = { today, horizonDays, earliest: isoDay(today - horizonDays * DAY_MS), latest: isoDay(today + horizonDays * DAY_MS) };
  }
  return lastWindow;
}

/** The last window computed: a pure function's memo (its inputs are the key), not shared state. */
let lastWindow = { today: NaN, horizonDays: NaN, earliest: '', latest: '' };

/**
 * 400 naming each date field outside the planning window, checked at the edge where the
 * clock is known. Stored data is never re-checked: an order promised within an earlier,
 * longer horizon stays valid.
 */
export function assertWithinHorizon(deps: HorizonDeps, dates: Iterable<readonly [field: string, date: string | null | undefined]>) {
  const { earliest, latest } = planningWindow(deps.clock.now(), deps.planningHorizonDays);
  const errors: FieldError[] = [];
  for (const [field, date] of dates) {
    if (!date) continue;
    if (date > latest) errors.push({ field, message: `${date} is beyond the planning horizon (${latest})` });
    else if (date < earliest) errors.push({ field, message: `${date} is before the planning horizon (${earliest})` });
  }
  if (errors.length === 0) return;
  const detail = errors.map((e) => `${e.field.replace(/^(body|querystring)\./, '')} ${e.message}`).join('; ');
  throw new DomainError('validation-error', `${detail}.`, { planningHorizon: { earliest, latest } }, errors);
}
