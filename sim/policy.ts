import type { SimClock } from './clock.ts';
import type { Job } from './scenario.ts';

/** An order as the floor sees it while a replication runs. */
export interface OrderState {
  job: Job;
  /** The plant's own answer to "when can you deliver?" (end of day, sim minutes). */
  quotedDue: number;
  /** The date promised to the customer: the quote, or the requested date when the policy says so. */
  due: number;
  /** Actual material release (enters the floor); undefined while in the order pool. */
  released: number | undefined;
  /** Next operation to perform (index in job.ops); ops.length when all are done. */
  opIndex: number;
  /** When the order joined its current queue (FIFO key). */
  queuedAt: number;
  completed: number | undefined;
  drumStart: number | undefined;
  drumEnd: number | undefined;
  /** Bumped whenever the planned release time changes, so stale release events are ignored. */
  releaseToken: number;
}

/** What a policy may do and see during a run. */
export interface SimContext {
  readonly now: number;
  readonly drum: number;
  /** Working minutes per working day: the sim's unit of a "day". */
  readonly minutesPerDay: number;
  /** Working time or wall clock: dates in working days go through it. */
  readonly clock: SimClock;
  /** Release the order to the floor now. */
  release(order: OrderState): void;
  /** Plan (or re-plan) the order's release; the latest call wins. A time <= now releases at once. */
  planRelease(order: OrderState, at: number): void;
  /** Minutes the drum has already worked on this order's drum operation (0 if not started). */
  drumWorkDone(order: OrderState): number;
  /** Minutes worked so far on the order's current operation (0 when it waits). */
  opWorkDone(order: OrderState): number;
  /** Planned drum minutes of every accepted order not yet through the drum (released or not), less the work done on the one in work. */
  drumBacklog(): number;
  /** Orders released and not finished. */
  readonly wip: number;
}

/**
 * A policy is the whole answer to the three questions: what date do we promise,
 * when do we release material, and which waiting order does a free station take next.
 */
export interface Policy {
  readonly name: string;
  /** Must set order.quotedDue and order.due and release or plan the release. */
  onArrival(order: OrderState, ctx: SimContext): void;
  /** Dispatching key: the waiting order with the smallest key is processed next. */
  priority(order: OrderState, station: number, now: number): number;
  onDrumStart?(order: OrderState, ctx: SimContext): void;
  onDrumFinish?(order: OrderState, ctx: SimContext): void;
  /** The order's last operation finished. */
  onComplete?(order: OrderState, ctx: SimContext): void;
  /** The end of each working day (every minutesPerDay): when the floor's progress reaches the planner. */
  onShiftEnd?(ctx: SimContext): void;
}
