/**
 * Independent checker of published whole-route plans (issue 12, property 1; design note
 * docs/design/whole-route.md, §2.1 "Checker input format" and §4 "The published plan and
 * the checker rules").
 *
 * It shares no code with src/engine (only the plain `Calendar` data type is imported):
 * calendars are read literally, minute by minute, each UTC minute's local date and time
 * taken from Intl by its own evaluator (not WorkingTime, and not
 * test/engine/calendar-oracle.ts either, so that the list scheduler of its self-test, which
 * walks that oracle, is independent of it), and local days, working days and `S`/`E` are
 * its own Intl date arithmetic. Rules (§4):
 *
 * 1. each op's interval contains exactly `minutes` working minutes of its resource, and the
 *    plan has one entry per operation with the same position and resource;
 * 2. routing order: `end_k ≤ start_{k+1}`;
 * 3. first start ≥ `release` ≥ `materialAvailable`; for held/confirmed orders `release ≥ now`;
 * 4. per resource, the intervals of all orders are pairwise disjoint;
 * 5. the (last) drum op ends by `S` unless `bufferConsumed`;
 * 6. the last op ends by `E`;
 * 7. the last op ends by `S` unless `bufferConsumed`.
 *
 * A _working day_ is a local date on which the drum calendar has a working minute; `S` is
 * the local midnight ending the working day `SB` working days before the promise (a
 * non-working promise day counts as the last working day before it); `E` is the local
 * midnight ending the promise day. At-risk orders are checked for rules 1–4 only;
 * `atRiskLateness` reports their projected lateness.
 *
 * Intervals are half-open `[start, end)` in integer UTC minutes. An interval may include
 * non-working time at its ends (work pauses outside shifts): rules 2–7 are evaluated on its
 * working minutes, from the first one to just after the last one, so a padded but valid plan
 * is accepted (`tight` in `CheckerOptions` also requires the published bounds to be exactly
 * those). A zero-minute operation is the point `start` and must contain no working minute.
 */
import type { Calendar } from '../../src/engine/calendar-types.ts';

type Weekday = Calendar['weekly'][number]['day'];

export interface CheckerInput {
  now: number; // UTC minute at which the plan was published
  plant: {
    timeZone: string; // IANA zone; every calendar.timeZone must equal it
    drum: string; // id of the drum resource
    resources: { id: string; calendar: Calendar }[]; // weekly shifts + dated exceptions
  };
  orders: {
    id: string;
    status: 'held' | 'confirmed' | 'released' | 'in_progress';
    atRisk: boolean; // at-risk orders are checked for rules 1–4 only
    bufferConsumed: boolean; // rules 5 and 7 waived (shipping buffer consumed by a fact)
    promise: string; // 'YYYY-MM-DD', local date in plant.timeZone
    shippingBufferDays: number; // SB, in working days of the drum calendar
    materialAvailable: number | null; // UTC minute, or null when not set
    release: number; // actual release if released/in_progress, else projected release
    // The routing in order, from the order's snapshot; remaining work only: completed
    // ops omitted, a running op with its remaining minutes. Drum ops are consecutive.
    operations: { position: number; resource: string; minutes: number }[];
  }[];
  // order id -> one entry per operation of that order, same positions and resources
  plan: Record<string, { position: number; resource: string; start: number; end: number }[]>;
}

export interface CheckerViolation {
  rule: 1 | 2 | 3 | 4 | 5 | 6 | 7;
  orderId: string;
  position?: number;
  otherOrderId?: string; // rule 4
  detail: string;
}

export type CheckerOrder = CheckerInput['orders'][number];
export type CheckerPlannedOp = CheckerInput['plan'][string][number];

export interface CheckerOptions {
  /** Also require each interval to start on a working minute and end right after one (rule 1). */
  tight?: boolean;
}

export interface AtRiskLateness {
  orderId: string;
  /** end of the last operation's work (UTC minute) */
  projectedFinish: number;
  /** E: the end of the promised local day */
  due: number;
  /** S: the end of the working day SB working days before the promise */
  shipReadyBy: number;
  /** wall-clock minutes after E, 0 when by E */
  lateByMinutes: number;
  /** wall-clock minutes after S, 0 when by S */
  shipReadyLateByMinutes: number;
}

// ---------------------------------------------------------------------------------------
// Time: local wall clock of every UTC minute, from Intl, cached per zone and UTC day.

const WEEKDAYS: Record<string, Weekday> = {
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
  weekday: Weekday;
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
  weekdays: Weekday[];
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
function localDayFlags(calendar: Calendar, date: string, weekday: Weekday): Uint8Array {
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
    calendar: Calendar,
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

/** For messages: the UTC instant and the plant's wall clock. */
function show(zone: string, t: number): string {
  const l = localMinute(zone, t);
  const hh = String(Math.floor(l.minuteOfDay / 60)).padStart(2, '0');
  const mm = String(l.minuteOfDay % 60).padStart(2, '0');
  return `${new Date(t * 60_000).toISOString().slice(0, 16)}Z (${l.weekday} ${l.date} ${hh}:${mm} local)`;
}

function previousDate(date: string): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y!, m! - 1, d! - 1)).toISOString().slice(0, 10);
}

/** Working days of the drum calendar (own Intl evaluation of every minute of the local day). */
class WorkingDays {
  private readonly known = new Map<string, boolean>();
  private readonly flags = new Map<string, Uint8Array>();
  constructor(
    private readonly zone: string,
    private readonly calendar: Calendar,
  ) {}
  isWorkingDay(date: string): boolean {
    let working = this.known.get(date);
    if (working !== undefined) return working;
    working = false;
    const end = endOfLocalDate(this.zone, date);
    for (let t = startOfLocalDate(this.zone, date); t < end && !working; t++) {
      const utcDay = Math.floor(t / 1440);
      const chunk = dayChunk(this.zone, utcDay);
      const i = chunk.dateIndex[t - utcDay * 1440]!;
      const local = chunk.dates[i]!;
      let f = this.flags.get(local);
      if (!f) this.flags.set(local, (f = localDayFlags(this.calendar, local, chunk.weekdays[i]!)));
      working = f[chunk.minuteOfDay[t - utcDay * 1440]!] === 1;
    }
    this.known.set(date, working);
    return working;
  }
  /** S: the end of the working day `sb` working days before `promise`, or undefined without one in ten years. */
  shipReadyBy(promise: string, sb: number): number | undefined {
    let d = promise;
    let steps = 0;
    const back = () => {
      d = previousDate(d);
      return ++steps < 3660;
    };
    while (!this.isWorkingDay(d)) if (!back()) return undefined;
    for (let left = sb; left > 0;) {
      if (!back()) return undefined;
      if (this.isWorkingDay(d)) left--;
    }
    return endOfLocalDate(this.zone, d);
  }
}

const MAX_WINDOW_MINUTES = 3 * 366 * 1440;

interface OpState {
  orderId: string;
  position: number;
  resource: string;
  minutes: number;
  start: number;
  end: number;
  /** the working minutes' span: the first working minute, and just after the last one */
  workStart: number;
  workEnd: number;
}

interface Analysis {
  violations: CheckerViolation[];
  lateness: AtRiskLateness[];
}

function analyse(input: CheckerInput, options: CheckerOptions = {}): Analysis {
  const { plant } = input;
  const zone = plant.timeZone;
  const violations: CheckerViolation[] = [];
  const lateness: AtRiskLateness[] = [];
  const report = (rule: CheckerViolation['rule'], orderId: string, position: number | undefined, detail: string, other?: string) =>
    violations.push({
      rule,
      orderId,
      ...(position === undefined ? {} : { position }),
      ...(other === undefined ? {} : { otherOrderId: other }),
      detail,
    });

  const resources = new Map(plant.resources.map((r) => [r.id, r.calendar]));
  for (const r of plant.resources) {
    if (r.calendar.timeZone !== zone)
      report(1, '*', undefined, `resource ${r.id}: calendar zone ${r.calendar.timeZone} is not the plant's ${zone}`);
  }
  const drumCalendar = resources.get(plant.drum);
  if (!drumCalendar) {
    report(1, '*', undefined, `the drum ${plant.drum} is not among the resources`);
    return { violations, lateness };
  }
  if (!Number.isInteger(input.now)) {
    report(1, '*', undefined, `now ${input.now} is not a whole UTC minute`);
    return { violations, lateness };
  }
  const days = new WorkingDays(zone, drumCalendar);
  const orderIds = new Set(input.orders.map((o) => o.id));
  for (const id of Object.keys(input.plan)) if (!orderIds.has(id)) report(1, id, undefined, 'a plan for an order that is not given');

  // Rule 1, shape part: one entry per operation, same position and resource, whole minutes.
  interface OrderState {
    order: CheckerOrder;
    ops: OpState[];
  }
  const states: OrderState[] = [];
  const instants: number[] = [input.now];
  for (const order of input.orders) {
    const id = order.id;
    const planned = Object.prototype.hasOwnProperty.call(input.plan, id) ? input.plan[id] : undefined;
    if (!planned) {
      report(1, id, undefined, 'no published plan');
      continue;
    }
    if (planned.length !== order.operations.length) {
      report(1, id, undefined, `${planned.length} planned intervals for ${order.operations.length} operations`);
      continue;
    }
    let ok = true;
    const bad = (position: number | undefined, detail: string) => {
      report(1, id, position, detail);
      ok = false;
    };
    if (!Number.isInteger(order.release)) bad(undefined, `release ${order.release} is not a whole UTC minute`);
    if (order.materialAvailable !== null && !Number.isInteger(order.materialAvailable)) {
      bad(undefined, `materialAvailable ${order.materialAvailable} is not a whole UTC minute`);
    }
    if (!/^\d{4}-\d{2}-\d{2}$/.test(order.promise)) bad(undefined, `promise ${order.promise} is not a local date YYYY-MM-DD`);
    if (!Number.isInteger(order.shippingBufferDays) || order.shippingBufferDays < 0) {
      bad(undefined, `shippingBufferDays ${order.shippingBufferDays} is not a whole number ≥ 0`);
    }
    const ops: OpState[] = [];
    order.operations.forEach((op, k) => {
      const p = planned[k]!;
      if (p.position !== op.position) bad(op.position, `entry ${k} of the plan has position ${p.position}, the operation ${op.position}`);
      if (p.resource !== op.resource) bad(op.position, `planned on ${p.resource}, the operation is on ${op.resource}`);
      if (!resources.has(op.resource)) bad(op.position, `unknown resource ${op.resource}`);
      if (!Number.isInteger(op.minutes) || op.minutes < 0) bad(op.position, `minutes ${op.minutes} are not a whole number ≥ 0`);
      if (!Number.isInteger(p.start) || !Number.isInteger(p.end))
        bad(op.position, `start ${p.start} or end ${p.end} is not a whole UTC minute`);
      else if (p.end < p.start) bad(op.position, `ends before it starts (${show(zone, p.start)} → ${show(zone, p.end)})`);
      ops.push({
        orderId: id,
        position: op.position,
        resource: op.resource,
        minutes: op.minutes,
        start: p.start,
        end: p.end,
        workStart: p.start,
        workEnd: p.start,
      });
    });
    if (!ok) continue;
    states.push({ order, ops });
    instants.push(order.release);
    if (order.materialAvailable !== null) instants.push(order.materialAvailable);
    for (const op of ops) instants.push(op.start, op.end);
  }

  // One evaluator per resource over a window holding every instant.
  let lo = input.now;
  let hi = input.now;
  for (const t of instants) {
    if (t < lo) lo = t;
    if (t > hi) hi = t;
  }
  const from = (Math.floor(lo / 1440) - 1) * 1440;
  const to = (Math.ceil(hi / 1440) + 1) * 1440;
  if (to - from > MAX_WINDOW_MINUTES) {
    report(
      1,
      '*',
      undefined,
      `the plans span ${Math.round((to - from) / 1440)} days, more than the checker's ${MAX_WINDOW_MINUTES / 1440}`,
    );
    return { violations, lateness };
  }
  const time = new Map<string, ResourceTime>();
  const timeOf = (id: string) => {
    let t = time.get(id);
    if (!t) time.set(id, (t = new ResourceTime(zone, resources.get(id)!, from, to - from)));
    return t;
  };

  const byResource = new Map<string, OpState[]>();
  for (const { order, ops } of states) {
    const id = order.id;
    // (1) exactly the operation's working minutes, on its own calendar.
    for (const op of ops) {
      const rt = timeOf(op.resource);
      const worked = rt.count(op.start, op.end);
      const where = `on ${op.resource} ${show(zone, op.start)} → ${show(zone, op.end)}`;
      if (worked !== op.minutes) report(1, id, op.position, `holds ${worked} working minutes ${where}, the operation needs ${op.minutes}`);
      if (op.minutes > 0 && worked > 0) {
        op.workStart = rt.firstWorkingAtOrAfter(op.start, op.end)!;
        op.workEnd = rt.lastWorkingBefore(op.end, op.start)! + 1;
        if (options.tight && (op.workStart !== op.start || op.workEnd !== op.end)) {
          report(1, id, op.position, `does not start and end on working time ${where}`);
        }
        let list = byResource.get(op.resource);
        if (!list) byResource.set(op.resource, (list = []));
        list.push(op);
      }
    }
    // (2) routing order.
    for (let k = 0; k + 1 < ops.length; k++) {
      const a = ops[k]!;
      const b = ops[k + 1]!;
      if (a.workEnd > b.workStart) {
        report(
          2,
          id,
          b.position,
          `starts ${show(zone, b.workStart)} on ${b.resource}, before operation ${a.position} ends ${show(zone, a.workEnd)} on ${a.resource}`,
        );
      }
    }
    // (3) release.
    const first = ops[0];
    if (first && first.workStart < order.release) {
      report(
        3,
        id,
        first.position,
        `the first operation starts ${show(zone, first.workStart)}, before the release ${show(zone, order.release)}`,
      );
    }
    if (order.materialAvailable !== null && order.release < order.materialAvailable) {
      report(
        3,
        id,
        undefined,
        `released ${show(zone, order.release)}, before the material is available ${show(zone, order.materialAvailable)}`,
      );
    }
    if ((order.status === 'held' || order.status === 'confirmed') && order.release < input.now) {
      report(3, id, undefined, `not released, but its release ${show(zone, order.release)} is before now ${show(zone, input.now)}`);
    }
    // (5)–(7), or the lateness of an at-risk order.
    const due = endOfLocalDate(zone, order.promise);
    const shipReadyBy = days.shipReadyBy(order.promise, order.shippingBufferDays);
    const last = ops[ops.length - 1];
    const finish = last ? last.workEnd : order.release;
    if (order.atRisk) {
      lateness.push({
        orderId: id,
        projectedFinish: finish,
        due,
        shipReadyBy: shipReadyBy ?? Number.NEGATIVE_INFINITY,
        lateByMinutes: Math.max(0, finish - due),
        shipReadyLateByMinutes: shipReadyBy === undefined ? Number.POSITIVE_INFINITY : Math.max(0, finish - shipReadyBy),
      });
      continue;
    }
    const sText =
      shipReadyBy === undefined
        ? 'no working day on or before the promise'
        : `S = ${show(zone, shipReadyBy)}, the end of the working day ${order.shippingBufferDays} working days before ${order.promise}`;
    const drumOps = ops.filter((op) => op.resource === plant.drum);
    const lastDrum = drumOps[drumOps.length - 1];
    if (!order.bufferConsumed && lastDrum && (shipReadyBy === undefined || lastDrum.workEnd > shipReadyBy)) {
      report(5, id, lastDrum.position, `the drum operation ends ${show(zone, lastDrum.workEnd)}, after ${sText}`);
    }
    if (last && finish > due) {
      report(
        6,
        id,
        last.position,
        `the last operation ends ${show(zone, finish)}, after the end of the promised day ${order.promise} (${show(zone, due)})`,
      );
    }
    if (!order.bufferConsumed && last && (shipReadyBy === undefined || finish > shipReadyBy)) {
      report(7, id, last.position, `the last operation ends ${show(zone, finish)}, after ${sText}`);
    }
  }

  // (4) one operation at a time per resource: sort by first working minute and sweep.
  for (const [resource, list] of byResource) {
    list.sort((a, b) => a.workStart - b.workStart || a.workEnd - b.workEnd);
    let open: OpState | undefined;
    for (const op of list) {
      if (open && op.workStart < open.workEnd) {
        report(
          4,
          op.orderId,
          op.position,
          `works ${resource} from ${show(zone, op.workStart)} while order ${open.orderId} operation ${open.position} works it until ${show(zone, open.workEnd)}`,
          open.orderId,
        );
      }
      if (!open || op.workEnd > open.workEnd) open = op;
    }
  }
  return { violations, lateness };
}

/** The violations of the published plan; [] = accepted. */
export function checkPlan(input: CheckerInput, options?: CheckerOptions): CheckerViolation[] {
  return analyse(input, options).violations;
}

/** The projected lateness of the at-risk orders (whose plans are checked for rules 1–4 only). */
export function atRiskLateness(input: CheckerInput): AtRiskLateness[] {
  return analyse(input).lateness;
}

/** Formats violations for a failing test. */
export function describeViolations(violations: readonly CheckerViolation[], limit = 20): string {
  const lines = violations
    .slice(0, limit)
    .map((v) => `- rule ${v.rule}, order ${v.orderId}${v.position === undefined ? '' : ` op ${v.position}`}: ${v.detail}`);
  if (violations.length > limit) lines.push(`… and ${violations.length - limit} more`);
  return lines.join('\n');
}

/** Throws, listing the violations, unless the published plan passes every rule. */
export function expectValidPlan(input: CheckerInput, options?: CheckerOptions): void {
  const violations = checkPlan(input, options);
  if (violations.length > 0) {
    throw new Error(`the published plan breaks ${violations.length} rule(s):\n${describeViolations(violations)}`);
  }
}
