/**
 * Independent checker of published whole-route plans (issue 12, property 1; design note
 * docs/design/whole-route.md, "The published plan and the checker").
 *
 * It shares no code with src/engine: calendars are read literally, minute by minute, each
 * UTC minute's local date and time taken from Intl (its own evaluator, not WorkingTime and not test/engine/calendar-oracle.ts, so that
 * the random-plan generator of its tests, which walks that oracle, is independent of it too),
 * and the end of a promised local day is its own Intl computation. It checks exactly:
 *
 * 1. `on-calendar`: each interval holds exactly its operation's working minutes of its own
 *    resource (work pauses outside shifts, over holidays and across DST changes);
 * 2. `routing-order`: an operation ends no later than the next one of its order starts;
 * 3. `release`: the first operation starts no earlier than the order's release, the release
 *    is no earlier than the material date, and no earlier than `now` for an order not yet
 *    released (held or confirmed);
 * 4. `no-overlap`: no two operations (of any orders) work the same minute of one resource;
 * 5. `drum-deadline`: the drum operation(s) finish by the order's drum deadline;
 * 6. `promise-date`: the last operation finishes by the end of the promised local day.
 *
 * At-risk orders are checked for 1–4 only and reported with their projected lateness.
 * `shape` reports a plan that cannot be checked (missing, unknown resource, operations that
 * do not match the routing, instants that are not whole minutes).
 *
 * Intervals are half-open `[start, end)`. An interval may include non-working time at its
 * ends (work pauses outside shifts); rules 2–6 are evaluated on its working minutes, i.e.
 * from its first working minute to just after its last one (`options.tight` additionally
 * requires the published bounds to be exactly those). A zero-minute operation is the point
 * `start` and must contain no working minute.
 */

/** UTC minutes since the Unix epoch, or an ISO 8601 instant on a whole minute. */
export type Instant = number | string;

export type CheckerWeekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

/** The service's Calendar JSON (src/schemas/master-data.ts `CalendarInput`). */
export interface CheckerCalendar {
  /** Local wall-clock [start, end) "HH:MM" on a weekday, end may be "24:00"; a night shift is split at midnight. */
  weekly: ReadonlyArray<{ day: CheckerWeekday; start: string; end: string }>;
  exceptions: ReadonlyArray<{
    kind: 'holiday' | 'downtime' | 'overtime' | 'extra_shift';
    date: string;
    start?: string | undefined;
    end?: string | undefined;
    note?: string | undefined;
  }>;
}

export interface CheckerResource {
  id: string;
  drum: boolean;
  calendar: CheckerCalendar;
}

export interface CheckerPlant {
  /** IANA time zone of every calendar and of promise dates. */
  timeZone: string;
  resources: readonly CheckerResource[];
}

export interface CheckerOperation {
  resource: string;
  /** working minutes of the operation (the order's stored per-op load) */
  minutes: number;
}

export type CheckerOrderStatus = 'held' | 'confirmed' | 'released' | 'in_progress';

export interface CheckerOrder {
  id: string;
  status: CheckerOrderStatus;
  /** At-risk orders are checked for rules 1–4 only, and reported with their lateness. */
  atRisk?: boolean;
  /** Operations in routing order (consecutive drum operations may appear as several entries). */
  routing: readonly CheckerOperation[];
  /** Material release instant (projected release for an order not yet released). */
  release: Instant;
  /** Material available: a local date "YYYY-MM-DD" (from the start of that day) or an instant. */
  materialAvailableDate?: Instant | null;
  /** Promised local date "YYYY-MM-DD": ready to ship by the end of that day. */
  promiseDate: string;
  /** Informational (the checker does not derive the drum deadline from it). */
  shippingBufferDays?: number;
  drumDeadline: Instant;
}

export interface PlannedOperation {
  position?: number;
  resource: string;
  /** When present, must equal the routing's minutes. */
  minutes?: number;
  start: Instant;
  end: Instant;
}

export interface PublishedPlan {
  orderId: string;
  /** One entry per routing operation, in routing order. */
  operations: readonly PlannedOperation[];
}

export interface PlanCheckInput {
  plant: CheckerPlant;
  orders: readonly CheckerOrder[];
  plans: readonly PublishedPlan[];
  /** The instant the plans are published at. */
  now: Instant;
  options?: {
    /** Also require each interval to start on a working minute and end right after one. */
    tight?: boolean;
  };
}

export type PlanRule = 'shape' | 'on-calendar' | 'routing-order' | 'release' | 'no-overlap' | 'drum-deadline' | 'promise-date';

export interface PlanViolation {
  order: string;
  /** index into the order's operations, or null for an order-level rule */
  operation: number | null;
  rule: PlanRule;
  message: string;
}

export interface AtRiskReport {
  order: string;
  /** end of the last operation (UTC minutes) */
  projectedFinish: number;
  /** end of the promised local day (UTC minutes) */
  due: number;
  /** wall-clock minutes after the due instant, 0 when on time */
  lateByMinutes: number;
  /** end of the last drum operation, null without one */
  drumFinish: number | null;
  drumDeadline: number;
  drumLateByMinutes: number;
}

export interface PlanCheckResult {
  violations: PlanViolation[];
  atRisk: AtRiskReport[];
}

// ---------------------------------------------------------------------------------------
// Time: local wall clock of every UTC minute, from Intl, cached per zone and UTC day.

const WEEKDAYS: Record<string, CheckerWeekday> = {
  Mon: 'mon',
  Tue: 'tue',
  Wed: 'wed',
  Thu: 'thu',
  Fri: 'fri',
  Sat: 'sat',
  Sun: 'sun',
};

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      weekday: 'short',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    });
    formatters.set(zone, f);
  }
  return f;
}

interface LocalMinute {
  date: string;
  weekday: CheckerWeekday;
  minuteOfDay: number;
}

function localMinute(zone: string, t: number): LocalMinute {
  const parts: Record<string, string> = {};
  for (const p of formatter(zone).formatToParts(new Date(t * 60_000))) parts[p.type] = p.value;
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    weekday: WEEKDAYS[parts.weekday!]!,
    minuteOfDay: Number(parts.hour) * 60 + Number(parts.minute),
  };
}

/** The local date, weekday and time of day of each minute of one UTC day. */
interface DayChunk {
  dates: string[];
  weekdays: CheckerWeekday[];
  dateIndex: Uint8Array;
  minuteOfDay: Int16Array;
}

const chunks = new Map<string, DayChunk>();
function dayChunk(zone: string, utcDay: number): DayChunk {
  const key = `${zone}@${utcDay}`;
  const cached = chunks.get(key);
  if (cached) return cached;
  const chunk: DayChunk = { dates: [], weekdays: [], dateIndex: new Uint8Array(1440), minuteOfDay: new Int16Array(1440) };
  // Intl at the first and last minute of each hour; when the zone's offset is the same at
  // both (no change inside the hour), the hour's other minutes are that offset away from
  // UTC; otherwise every minute of the hour is asked of Intl.
  const offsetOf = (t: number, l: LocalMinute) => Date.parse(`${l.date}T00:00:00Z`) / 60_000 + l.minuteOfDay - t;
  let hourOffset: number | undefined;
  for (let i = 0; i < 1440; i++) {
    const t = utcDay * 1440 + i;
    let l: LocalMinute;
    if (i % 60 === 0) {
      const first = localMinute(zone, t);
      const last = localMinute(zone, t + 59);
      hourOffset = offsetOf(t, first) === offsetOf(t + 59, last) ? offsetOf(t, first) : undefined;
      l = first;
    } else if (hourOffset !== undefined) {
      const wall = new Date((t + hourOffset) * 60_000);
      l = {
        date: wall.toISOString().slice(0, 10),
        weekday: (['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const)[wall.getUTCDay()]!,
        minuteOfDay: wall.getUTCHours() * 60 + wall.getUTCMinutes(),
      };
    } else {
      l = localMinute(zone, t);
    }
    let index = chunk.dates.indexOf(l.date);
    if (index < 0) {
      index = chunk.dates.push(l.date) - 1;
      chunk.weekdays.push(l.weekday);
    }
    chunk.dateIndex[i] = index;
    chunk.minuteOfDay[i] = l.minuteOfDay;
  }
  chunks.set(key, chunk);
  return chunk;
}

function clock(text: string | undefined): number {
  const m = /^(\d\d):(\d\d)$/.exec(text ?? '');
  if (!m) throw new Error(`not a clock time "HH:MM": ${String(text)}`);
  return Number(m[1]) * 60 + Number(m[2]);
}

/** Working flag of each minute of the local day `date`, by the calendar's rules read literally. */
function localDayFlags(calendar: CheckerCalendar, date: string, weekday: CheckerWeekday): Uint8Array {
  const flags = new Uint8Array(1440);
  const onDate = calendar.exceptions.filter((e) => e.date === date);
  const paint = (from: number, to: number, value: number) => {
    for (let m = from; m < Math.min(to, 1440); m++) flags[m] = value;
  };
  if (!onDate.some((e) => e.kind === 'holiday')) {
    for (const s of calendar.weekly) if (s.day === weekday) paint(clock(s.start), clock(s.end), 1);
  }
  for (const e of onDate) if (e.kind === 'overtime' || e.kind === 'extra_shift') paint(clock(e.start), clock(e.end), 1);
  for (const e of onDate) {
    if (e.kind !== 'downtime') continue;
    if (e.start === undefined) paint(0, 1440, 0);
    else paint(clock(e.start), clock(e.end), 0);
  }
  return flags;
}

/** Working minutes of one resource over [from, from + length), with prefix counts. */
class ResourceTime {
  private readonly flags: Uint8Array;
  private readonly prefix: Int32Array;
  constructor(
    zone: string,
    calendar: CheckerCalendar,
    readonly from: number,
    readonly length: number,
  ) {
    this.flags = new Uint8Array(length);
    this.prefix = new Int32Array(length + 1);
    const perDate = new Map<string, Uint8Array>();
    for (let i = 0; i < length;) {
      const t = from + i;
      const utcDay = Math.floor(t / 1440);
      const chunk = dayChunk(zone, utcDay);
      const dayFlags = chunk.dates.map((d, k) => {
        let f = perDate.get(d);
        if (!f) perDate.set(d, (f = localDayFlags(calendar, d, chunk.weekdays[k]!)));
        return f;
      });
      for (let m = t - utcDay * 1440; m < 1440 && i < length; m++, i++) {
        this.flags[i] = dayFlags[chunk.dateIndex[m]!]![chunk.minuteOfDay[m]!]!;
        this.prefix[i + 1] = this.prefix[i]! + this.flags[i]!;
      }
    }
  }
  working(t: number): boolean {
    return this.flags[t - this.from] === 1;
  }
  /** working minutes in [a, b), a <= b */
  count(a: number, b: number): number {
    return this.prefix[b - this.from]! - this.prefix[a - this.from]!;
  }
  firstWorkingAtOrAfter(a: number, b: number): number | undefined {
    for (let t = a; t < b; t++) if (this.working(t)) return t;
    return undefined;
  }
  lastWorkingBefore(b: number, a: number): number | undefined {
    for (let t = b - 1; t >= a; t--) if (this.working(t)) return t;
    return undefined;
  }
}

function nextDate(date: string): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y!, m! - 1, d! + 1)).toISOString().slice(0, 10);
}

/**
 * The first UTC minute whose local date is `date` or later, in `zone`: a guess from the
 * zone's offset near local midnight, verified against Intl, with a minute scan as fallback.
 */
export function startOfLocalDate(zone: string, date: string): number {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new Error(`not a local date: ${date}`);
  const [y, m, d] = date.split('-').map(Number);
  const wallMidnight = Date.UTC(y!, m! - 1, d!) / 60_000;
  const offset = (t: number) => {
    const l = localMinute(zone, t);
    const [ly, lm, ld] = l.date.split('-').map(Number);
    return Date.UTC(ly!, lm! - 1, ld!) / 60_000 + l.minuteOfDay - t;
  };
  const isStart = (t: number) => localMinute(zone, t).date >= date && localMinute(zone, t - 1).date < date;
  const guess = wallMidnight - offset(wallMidnight);
  for (const t of [guess, wallMidnight - offset(guess)]) if (isStart(t)) return t;
  for (let t = wallMidnight - 18 * 60; t <= wallMidnight + 18 * 60; t++) if (isStart(t)) return t;
  throw new Error(`no start of local date ${date} in ${zone}`);
}

/** End of the promised local day: the start of the next local date. */
export function endOfLocalDate(zone: string, date: string): number {
  return startOfLocalDate(zone, nextDate(date));
}

/** UTC minutes of an Instant, or an error message. */
function toMinute(value: Instant): number | string {
  if (typeof value === 'number') return Number.isInteger(value) ? value : `${value} is not a whole minute`;
  const ms = Date.parse(value);
  if (!/^\d{4}-\d\d-\d\dT/.test(value) || Number.isNaN(ms)) return `"${value}" is not an ISO instant`;
  if (ms % 60_000 !== 0) return `"${value}" is not on a whole minute`;
  return ms / 60_000;
}

/** For messages: the UTC instant and the plant's wall clock. */
function show(zone: string, t: number): string {
  const l = localMinute(zone, t);
  const hh = String(Math.floor(l.minuteOfDay / 60)).padStart(2, '0');
  const mm = String(l.minuteOfDay % 60).padStart(2, '0');
  return `${new Date(t * 60_000).toISOString().slice(0, 16)}Z (${l.weekday} ${l.date} ${hh}:${mm} local)`;
}

const MAX_WINDOW_MINUTES = 3 * 366 * 1440;

// ---------------------------------------------------------------------------------------

interface OpState {
  order: CheckerOrder;
  index: number;
  resource: string;
  minutes: number;
  start: number;
  end: number;
  /** the working minutes' span: first working minute, and just after the last one */
  workStart: number;
  workEnd: number;
}

export function checkPlan(input: PlanCheckInput): PlanCheckResult {
  const { plant } = input;
  const zone = plant.timeZone;
  const violations: PlanViolation[] = [];
  const atRisk: AtRiskReport[] = [];
  const report = (order: string, operation: number | null, rule: PlanRule, message: string) =>
    violations.push({ order, operation, rule, message });

  const resources = new Map(plant.resources.map((r) => [r.id, r]));
  const drums = plant.resources.filter((r) => r.drum);
  if (drums.length !== 1) report('*', null, 'shape', `the plant has ${drums.length} drums, expected exactly one`);
  const now = toMinute(input.now);
  if (typeof now === 'string') {
    report('*', null, 'shape', `now: ${now}`);
    return { violations, atRisk };
  }

  // Shape, and the instants of every order.
  const plans = new Map<string, PublishedPlan>();
  for (const p of input.plans) {
    if (plans.has(p.orderId)) report(p.orderId, null, 'shape', 'more than one published plan');
    plans.set(p.orderId, p);
  }
  const orderIds = new Set(input.orders.map((o) => o.id));
  for (const p of input.plans) if (!orderIds.has(p.orderId)) report(p.orderId, null, 'shape', 'a plan for an order that is not given');

  interface OrderState {
    order: CheckerOrder;
    ops: OpState[];
    release: number;
    material: number | null;
    drumDeadline: number;
    due: number;
  }
  const states: OrderState[] = [];
  const instants: number[] = [now];
  for (const order of input.orders) {
    const plan = plans.get(order.id);
    const bad = (operation: number | null, message: string) => report(order.id, operation, 'shape', message);
    if (!plan) {
      bad(null, 'no published plan');
      continue;
    }
    if (plan.operations.length !== order.routing.length) {
      bad(null, `${plan.operations.length} planned operations for a routing of ${order.routing.length}`);
      continue;
    }
    const release = toMinute(order.release);
    const drumDeadline = toMinute(order.drumDeadline);
    let material: number | string | null = null;
    if (order.materialAvailableDate !== undefined && order.materialAvailableDate !== null) {
      const m = order.materialAvailableDate;
      material = typeof m === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(m) ? startOfLocalDate(zone, m) : toMinute(m);
    }
    let due: number;
    try {
      due = endOfLocalDate(zone, order.promiseDate);
    } catch (e) {
      bad(null, `promise date: ${(e as Error).message}`);
      continue;
    }
    if (typeof release === 'string') bad(null, `release: ${release}`);
    if (typeof drumDeadline === 'string') bad(null, `drum deadline: ${drumDeadline}`);
    if (typeof material === 'string') bad(null, `material date: ${material}`);
    let ok = typeof release === 'number' && typeof drumDeadline === 'number' && typeof material !== 'string';
    const ops: OpState[] = [];
    order.routing.forEach((step, index) => {
      const planned = plan.operations[index]!;
      if (planned.position !== undefined && planned.position !== index + 1 && planned.position !== index) {
        bad(index, `position ${planned.position} out of routing order`);
      }
      if (planned.resource !== step.resource) {
        bad(index, `planned on ${planned.resource}, the routing says ${step.resource}`);
        ok = false;
      }
      if (!resources.has(step.resource)) {
        bad(index, `unknown resource ${step.resource}`);
        ok = false;
      }
      if (!Number.isInteger(step.minutes) || step.minutes < 0) {
        bad(index, `routing minutes ${step.minutes} are not a whole number ≥ 0`);
        ok = false;
      }
      if (planned.minutes !== undefined && planned.minutes !== step.minutes) {
        bad(index, `published ${planned.minutes} minutes, the order's routing has ${step.minutes}`);
        ok = false;
      }
      const start = toMinute(planned.start);
      const end = toMinute(planned.end);
      if (typeof start === 'string') bad(index, `start: ${start}`);
      if (typeof end === 'string') bad(index, `end: ${end}`);
      if (typeof start !== 'number' || typeof end !== 'number') {
        ok = false;
        return;
      }
      if (end < start) {
        bad(index, `ends before it starts (${show(zone, start)} → ${show(zone, end)})`);
        ok = false;
      }
      ops.push({ order, index, resource: step.resource, minutes: step.minutes, start, end, workStart: start, workEnd: start });
    });
    if (!ok) continue;
    states.push({ order, ops, release: release as number, material: material as number | null, drumDeadline: drumDeadline as number, due });
    instants.push(release as number, drumDeadline as number, due);
    if (material !== null) instants.push(material as number);
    for (const op of ops) instants.push(op.start, op.end);
  }

  // One evaluator per resource over a window that holds every instant.
  const from = (Math.floor(Math.min(...instants) / 1440) - 1) * 1440;
  const to = (Math.ceil(Math.max(...instants) / 1440) + 1) * 1440;
  if (to - from > MAX_WINDOW_MINUTES) {
    report(
      '*',
      null,
      'shape',
      `the plans span ${Math.round((to - from) / 1440)} days, more than the checker's ${MAX_WINDOW_MINUTES / 1440}`,
    );
    return { violations, atRisk };
  }
  const time = new Map<string, ResourceTime>();
  const timeOf = (id: string) => {
    let t = time.get(id);
    if (!t) time.set(id, (t = new ResourceTime(zone, resources.get(id)!.calendar, from, to - from)));
    return t;
  };

  const drumId = drums.length === 1 ? drums[0]!.id : undefined;
  const byResource = new Map<string, OpState[]>();
  for (const s of states) {
    const id = s.order.id;
    // (1) exactly the operation's working minutes, on its own calendar.
    for (const op of s.ops) {
      const rt = timeOf(op.resource);
      const worked = rt.count(op.start, op.end);
      const where = `on ${op.resource} ${show(zone, op.start)} → ${show(zone, op.end)}`;
      if (worked !== op.minutes) {
        report(id, op.index, 'on-calendar', `holds ${worked} working minutes ${where}, the operation needs ${op.minutes}`);
      }
      if (op.minutes > 0 && worked > 0) {
        op.workStart = rt.firstWorkingAtOrAfter(op.start, op.end)!;
        op.workEnd = rt.lastWorkingBefore(op.end, op.start)! + 1;
        if (input.options?.tight && (op.workStart !== op.start || op.workEnd !== op.end)) {
          report(id, op.index, 'on-calendar', `does not start and end on working time ${where}`);
        }
        let list = byResource.get(op.resource);
        if (!list) byResource.set(op.resource, (list = []));
        list.push(op);
      } else {
        op.workStart = op.workEnd = op.start;
      }
    }
    // (2) routing order.
    for (let k = 0; k + 1 < s.ops.length; k++) {
      const a = s.ops[k]!;
      const b = s.ops[k + 1]!;
      if (a.workEnd > b.workStart) {
        report(
          id,
          b.index,
          'routing-order',
          `starts ${show(zone, b.workStart)} on ${b.resource}, before operation ${a.index} ends ${show(zone, a.workEnd)} on ${a.resource}`,
        );
      }
    }
    // (3) release.
    const first = s.ops[0];
    if (first && first.workStart < s.release) {
      report(
        id,
        first.index,
        'release',
        `the first operation starts ${show(zone, first.workStart)}, before the release ${show(zone, s.release)}`,
      );
    }
    if (s.material !== null && s.release < s.material) {
      report(id, null, 'release', `released ${show(zone, s.release)}, before the material is available ${show(zone, s.material)}`);
    }
    const unreleased = s.order.status === 'held' || s.order.status === 'confirmed';
    if (unreleased && s.release < now) {
      report(id, null, 'release', `not released yet, but its release ${show(zone, s.release)} is before now ${show(zone, now)}`);
    }
    // (5), (6), or the lateness of an at-risk order.
    const drumOps = s.ops.filter((op) => op.resource === drumId);
    const drumFinish = drumOps.length > 0 ? Math.max(...drumOps.map((op) => op.workEnd)) : null;
    const last = s.ops[s.ops.length - 1];
    const finish = last ? last.workEnd : s.release;
    if (s.order.atRisk) {
      atRisk.push({
        order: id,
        projectedFinish: finish,
        due: s.due,
        lateByMinutes: Math.max(0, finish - s.due),
        drumFinish,
        drumDeadline: s.drumDeadline,
        drumLateByMinutes: drumFinish === null ? 0 : Math.max(0, drumFinish - s.drumDeadline),
      });
      continue;
    }
    for (const op of drumOps) {
      if (op.workEnd > s.drumDeadline) {
        report(
          id,
          op.index,
          'drum-deadline',
          `the drum finishes ${show(zone, op.workEnd)}, after the drum deadline ${show(zone, s.drumDeadline)}`,
        );
      }
    }
    if (last && finish > s.due) {
      report(
        id,
        last.index,
        'promise-date',
        `the last operation finishes ${show(zone, finish)}, after the end of the promised day ${s.order.promiseDate} (${show(zone, s.due)})`,
      );
    }
  }

  // (4) one operation at a time per resource: sort by first working minute and sweep.
  for (const [resource, list] of byResource) {
    list.sort((a, b) => a.workStart - b.workStart || a.workEnd - b.workEnd);
    let open: OpState | undefined;
    for (const op of list) {
      if (open && op.workStart < open.workEnd) {
        report(
          op.order.id,
          op.index,
          'no-overlap',
          `works ${resource} from ${show(zone, op.workStart)} while order ${open.order.id} operation ${open.index} works it until ${show(zone, open.workEnd)}`,
        );
      }
      if (!open || op.workEnd > open.workEnd) open = op;
    }
  }
  return { violations, atRisk };
}

/** Formats violations for a failing test. */
export function describeViolations(violations: readonly PlanViolation[], limit = 20): string {
  const lines = violations
    .slice(0, limit)
    .map((v) => `- [${v.rule}] order ${v.order}${v.operation === null ? '' : ` op ${v.operation}`}: ${v.message}`);
  if (violations.length > limit) lines.push(`… and ${violations.length - limit} more`);
  return lines.join('\n');
}

/** Checks the plans and throws, listing the violations, unless there are none. Returns the at-risk report. */
export function expectValidPlan(input: PlanCheckInput): PlanCheckResult {
  const result = checkPlan(input);
  if (result.violations.length > 0) {
    throw new Error(`the published plan breaks ${result.violations.length} rule(s):\n${describeViolations(result.violations)}`);
  }
  return result;
}
