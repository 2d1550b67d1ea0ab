import { EventQueue } from './event-queue.ts';
import type { OrderState, Policy, SimContext } from './policy.ts';
import type { Scenario } from './scenario.ts';

/**
 * Discrete-event simulation of the plant under one policy. Stations are single
 * machines with a queue; a failure pre-empts the order in work, which resumes where it
 * stopped after the repair (preempt-resume). Time is in minutes since the start of the run.
 */
type SimEvent =
  | { kind: 'arrival'; job: number }
  | { kind: 'release'; order: number; token: number }
  | { kind: 'opDone'; station: number; token: number }
  | { kind: 'fail'; station: number; index: number }
  | { kind: 'repair'; station: number; index: number }
  | { kind: 'shiftEnd' };

/** A stretch of time a station spent working on one order (for utilisation and the tests). */
export interface Segment {
  station: number;
  order: number;
  op: number;
  start: number;
  end: number;
}

export interface RunResult {
  scenario: Scenario;
  policy: string;
  orders: OrderState[];
  segments: Segment[];
  /** Time of the last event processed. */
  endTime: number;
  /** True when some measured order had not finished by the hard stop (an unstable run). */
  truncated: boolean;
}

export interface RunOptions {
  /** Called with every event's time, in processing order (the tests check it never decreases). */
  onEvent?: (time: number, kind: string) => void;
  /** Hard stop, as a multiple of the horizon, for runs that never drain. */
  stopFactor?: number;
}

interface InWork {
  order: OrderState;
  remaining: number;
  resumedAt: number;
  token: number;
}

interface Station {
  queue: OrderState[];
  current: InWork | undefined;
  down: boolean;
  tokens: number;
}

export function simulate(scenario: Scenario, policy: Policy, options: RunOptions = {}): RunResult {
  const { jobs, drum, clock } = scenario;
  const events = new EventQueue<SimEvent>();
  const stations: Station[] = scenario.stationIds.map(() => ({ queue: [], current: undefined, down: false, tokens: 0 }));
  const orders: OrderState[] = [];
  const segments: Segment[] = [];
  const hardStop = scenario.horizon * (options.stopFactor ?? 3);
  let now = 0;
  const measured = jobs.filter((j) => j.arrival >= scenario.warmup && j.arrival < scenario.measureEnd).length;
  let measuredDone = 0;
  // Planned drum minutes of accepted orders not yet through the drum (the load-aware rule's backlog).
  let drumBacklog = 0;
  let wip = 0;

  const ctx: SimContext = {
    get now() {
      return now;
    },
    drum,
    minutesPerDay: scenario.plant.minutesPerDay,
    clock,
    release: (order) => release(order),
    planRelease(order, at) {
      if (order.released !== undefined) return;
      order.releaseToken++;
      if (at <= now) release(order);
      else events.push(at, { kind: 'release', order: order.job.id, token: order.releaseToken });
    },
    drumWorkDone,
    opWorkDone(order) {
      const op = order.job.ops[order.opIndex];
      const w = op ? stations[op.station]!.current : undefined;
      if (!op || !w || w.order !== order) return 0;
      return op.actual - (stations[op.station]!.down ? w.remaining : w.remaining - clock.worked(op.station, w.resumedAt, now));
    },
    drumBacklog() {
      const w = stations[drum]!.current;
      const inWork = w && w.order.opIndex === w.order.job.drumOp ? Math.min(w.order.job.drumLoad, drumWorkDone(w.order)) : 0;
      return drumBacklog - inWork;
    },
    get wip() {
      return wip;
    },
  };

  function drumWorkDone(order: OrderState): number {
    const w = stations[drum]!.current;
    if (!w || w.order !== order) return 0;
    const total = order.job.ops[order.job.drumOp]!.actual;
    const left = stations[drum]!.down ? w.remaining : w.remaining - clock.worked(drum, w.resumedAt, now);
    return total - left;
  }

  function release(order: OrderState): void {
    if (order.released !== undefined) return;
    order.released = now;
    order.releaseToken++;
    wip++;
    enqueue(order);
  }

  function enqueue(order: OrderState): void {
    const op = order.job.ops[order.opIndex];
    if (!op) {
      order.completed = now;
      wip--;
      if (order.job.arrival >= scenario.warmup && order.job.arrival < scenario.measureEnd) measuredDone++;
      policy.onComplete?.(order, ctx);
      return;
    }
    order.queuedAt = now;
    stations[op.station]!.queue.push(order);
    tryStart(op.station);
  }

  function tryStart(s: number): void {
    const st = stations[s]!;
    if (st.down || st.current || st.queue.length === 0) return;
    let best = 0;
    let bestKey = Infinity;
    for (let i = 0; i < st.queue.length; i++) {
      const o = st.queue[i]!;
      const key = policy.priority(o, s, now);
      const b = st.queue[best]!;
      // Ties: first come, first served, then order id — deterministic whatever the policy.
      if (key < bestKey || (key === bestKey && (o.queuedAt < b.queuedAt || (o.queuedAt === b.queuedAt && o.job.id < b.job.id)))) {
        best = i;
        bestKey = key;
      }
    }
    const order = st.queue.splice(best, 1)[0]!;
    const op = order.job.ops[order.opIndex]!;
    if (s === drum && order.opIndex === order.job.drumOp) {
      order.drumStart = now;
      policy.onDrumStart?.(order, ctx);
    }
    begin(s, { order, remaining: op.actual, resumedAt: now, token: ++st.tokens });
  }

  function begin(s: number, w: InWork): void {
    stations[s]!.current = w;
    events.push(clock.finish(s, now, w.remaining), { kind: 'opDone', station: s, token: w.token });
  }

  function record(s: number, w: InWork): void {
    if (now > w.resumedAt) segments.push({ station: s, order: w.order.job.id, op: w.order.opIndex, start: w.resumedAt, end: now });
  }

  function opDone(s: number, token: number): void {
    const st = stations[s]!;
    const w = st.current;
    if (!w || w.token !== token || st.down) return; // superseded by a failure
    record(s, w);
    st.current = undefined;
    const order = w.order;
    const wasDrum = s === drum && order.opIndex === order.job.drumOp;
    order.opIndex++;
    if (wasDrum) {
      order.drumEnd = now;
      drumBacklog -= order.job.drumLoad;
      policy.onDrumFinish?.(order, ctx);
    }
    enqueue(order);
    tryStart(s);
  }

  function fail(s: number, index: number): void {
    const st = stations[s]!;
    st.down = true;
    const w = st.current;
    if (w) {
      record(s, w);
      w.remaining -= clock.worked(s, w.resumedAt, now);
      w.token = ++st.tokens; // the pending opDone is now stale
    }
    const b = scenario.breakdowns[s]![index]!;
    events.push(b.repairAt, { kind: 'repair', station: s, index });
  }

  function repair(s: number, index: number): void {
    const st = stations[s]!;
    st.down = false;
    const w = st.current;
    if (w) begin(s, { ...w, resumedAt: now, token: ++st.tokens });
    else tryStart(s);
    const next = scenario.breakdowns[s]![index + 1];
    if (next) events.push(next.failAt, { kind: 'fail', station: s, index: index + 1 });
  }

  const first = jobs[0];
  if (first) events.push(first.arrival, { kind: 'arrival', job: 0 });
  scenario.breakdowns.forEach((list, s) => {
    const b = list[0];
    if (b) events.push(b.failAt, { kind: 'fail', station: s, index: 0 });
  });

  const day = scenario.plant.minutesPerDay;
  // The end of each plant working day (the drum's): shift reports reach the planner then.
  let shiftDays = 1;
  if (policy.onShiftEnd) events.push(clock.plantInstant(day), { kind: 'shiftEnd' });

  let truncated = false;
  for (;;) {
    if (measuredDone === measured && now >= scenario.measureEnd) break;
    const next = events.pop();
    if (!next) break;
    if (next.time < now) throw new Error(`clock went back from ${now} to ${next.time}`);
    if (next.time > hardStop) {
      truncated = true;
      break;
    }
    now = next.time;
    const ev = next.event;
    options.onEvent?.(now, ev.kind);
    switch (ev.kind) {
      case 'arrival': {
        const job = jobs[ev.job]!;
        const order: OrderState = {
          job,
          quotedDue: NaN,
          due: NaN,
          released: undefined,
          opIndex: 0,
          queuedAt: now,
          completed: undefined,
          drumStart: undefined,
          drumEnd: undefined,
          releaseToken: 0,
        };
        orders.push(order);
        policy.onArrival(order, ctx);
        drumBacklog += job.drumLoad;
        if (!Number.isFinite(order.due) || !Number.isFinite(order.quotedDue)) {
          throw new Error(`${policy.name} did not promise a date for order ${job.id}`);
        }
        const nextJob = jobs[ev.job + 1];
        if (nextJob) events.push(nextJob.arrival, { kind: 'arrival', job: ev.job + 1 });
        break;
      }
      case 'release': {
        const order = orders[ev.order]!;
        if (order.releaseToken === ev.token) release(order);
        break;
      }
      case 'opDone':
        opDone(ev.station, ev.token);
        break;
      case 'fail':
        fail(ev.station, ev.index);
        break;
      case 'repair':
        repair(ev.station, ev.index);
        break;
      case 'shiftEnd':
        // The floor's progress reaches the planner once per shift (the end of each working day).
        policy.onShiftEnd?.(ctx);
        events.push(clock.plantInstant(++shiftDays * day), { kind: 'shiftEnd' });
        break;
    }
  }
  return { scenario, policy: policy.name, orders, segments, endTime: now, truncated };
}
