import type { BufferPolicy } from '../buffer-days.ts';
import type { DrumPlanCursor } from '../route-drum/drum-plan.ts';
import type { LocalDate, Minute } from '../working-time.ts';

/** One operation of an order's snapshot, in routing order. Drum ops must be consecutive (merged into one drum op). */
export interface RouteStep {
  resource: string;
  /** Working minutes: an integer ≥ 0. */
  minutes: number;
}

export interface RouteDemand {
  ops: readonly RouteStep[];
  /** standardLeadTimeDays is already the effective lead time (the caller computes max(LT, PB)). */
  policy: BufferPolicy;
  /** No release before it. */
  materialAvailable?: Minute | null;
}

/** One operation of a stored order. */
export interface StoredRouteOp {
  /** Index in the routing (0-based). */
  position: number;
  resource: string;
  minutes: number;
  /** The stored interval of a NON-drum op; null for the drum op, or for a legacy op without a reservation (then in no ledger). */
  start: Minute | null;
  end: Minute | null;
  /**
   * What the floor reported on this (non-drum) operation (issue 13): `minutes` is then what
   * remains (reserved from the report on), `done` what was worked. Carried, never read by
   * the engine's planning; absent while nothing was reported (the plan is assumed worked).
   */
  progress?: OperationProgress;
}

/** The floor's cumulative report on one operation. */
export interface OperationProgress {
  /** Working minutes done so far; the operation's planned minutes are `done` + the op's (remaining) `minutes`. */
  done: number;
  startedAt: Minute;
  reportedAt: Minute;
  /** Set when nothing remains: the operation no longer reserves capacity. */
  completedAt: Minute | null;
}

/** An order as stored (cold build, catch-up from another process). */
/** pinRank of an order on the drum now (its drum work begun): ahead of every frozen order (frozen ranks are positive). */
export const IN_PROGRESS_RANK = -1;

export interface StoredRouteOrder {
  id: string;
  /** Snapshot in routing order. */
  ops: readonly StoredRouteOp[];
  /** Remaining drum minutes. */
  drumLoad: number;
  /** D_j. */
  drumDeadline: Minute;
  /** D̂_j ≥ D_j (D_j when absent). */
  effectiveDeadline?: Minute;
  /** ρ_j (a past value, e.g. 0 for legacy orders, is dominated by base). */
  ready: Minute;
  /** Sequence key κ. */
  key: number;
  pinned: boolean;
  /** Pinned orders are worked in (pinRank, key) order; in-progress rank −1 comes first. Absent: 0. */
  pinRank?: number;
  plannedRelease: Minute | null;
  promiseDate: LocalDate;
  shippingBufferDays: number;
  /** Released to the floor (or in progress): its planned work is assumed worked, so the tick (§8.2) never holds it back. */
  released?: boolean;
  /** The order's stored at-risk flag (issue 13): carried for the service's review, never read by the engine. */
  risk?: StoredRisk;
}

/** An at-risk flag as stored: the promise it was judged against, the projection and the reason. */
export interface StoredRisk {
  promiseDate: LocalDate;
  /** null: no finish within reach. */
  projectedFinish: Minute | null;
  reason: string;
  resource: string | null;
}

export interface RouteQuote {
  /** D*_drum: the least admissible drum deadline. */
  earliestDeadline: Minute;
  /** From the downstream end V: capacityPromiseDateFor(drumWt, V, SB). */
  capacityPromiseDate: LocalDate;
  leadTimeFloorDate: LocalDate;
  /** max of the two. */
  promiseDate: LocalDate;
  bindingLimit: 'capacity' | 'lead-time-floor';
  /** §5.1: where the order waits longest for other orders (wall clock), ties to the first on the route; null when it waits nowhere. */
  bindingResource: string | null;
  /** ρ_x of the quote's forward upstream placement. */
  ready: Minute;
  /** V: the end of the downstream forward placement (= the drum deadline D*_drum when there is no downstream op). */
  shipReadyAt: Minute;
  /** Drum minutes of the demand. */
  load?: number;
  /** t0 = max(now + lookahead, materialAvailable): the earliest release. */
  earliestRelease?: Minute;
}

export interface RoutePlanOp {
  position: number;
  resource: string;
  minutes: number;
  start: Minute;
  end: Minute;
  /** false for a legacy non-drum op without a reservation (then start = end, a point at its neighbour). */
  reserved?: boolean;
}

export interface RoutePlan {
  id: string;
  /** The record's planned release; no later than the first operation when work started ahead of it (then ρ is too). */
  plannedRelease: Minute | null;
  ready: Minute;
  /** D̂. */
  drumDeadline: Minute;
  /** The drum finish is after D̂ (never after writes). */
  late: boolean;
  /** One per op of the snapshot; the drum op(s) from RouteDrum.plan(now). */
  operations: RoutePlanOp[];
}

/** A page of RouteBook.plan(now) (RouteBook.planPage). */
export interface RoutePlanPage {
  plans: RoutePlan[];
  /** Pass it as `after` for the next page; undefined after the last order. */
  next: DrumPlanCursor | undefined;
}

export interface RouteCommit {
  key: number;
  /** Other orders whose keys changed (the caller persists them). */
  rekeyed: { id: string; key: number }[];
  plannedRelease: Minute;
  ready: Minute;
  drumDeadline: Minute;
  /** Non-drum intervals booked; drum op start/end null. */
  ops: StoredRouteOp[];
}

/** §5.4: the capacity that would make a date keepable (sufficient, not always minimal off the drum). */
export interface RoutePrice {
  bindingResource: string;
  minutes: number;
  neededAfter: Minute;
  neededBy: Minute;
}

/** A savepoint of a RouteBook (opaque). */
export interface RouteBookCheckpoint {
  readonly depth: number;
  readonly drum: number;
  readonly ledgers: ReadonlyMap<string, number>;
  readonly log: number;
}
