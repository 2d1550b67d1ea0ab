import type { LocalDate, Minute } from './working-time.ts';

/** A committed order as the drum sees it. */
export interface DrumOrder {
  id: string;
  /** Remaining drum minutes: an integer >= 0. */
  load: number;
  /** Drum deadline: the instant the drum must have finished the order (see drumDeadlineFor). */
  deadline: Minute;
  /** Commit sequence: breaks deadline ties, earlier commit first. */
  seq: number;
  /**
   * In progress on the drum, or inside the frozen window: sequenced at the front, before
   * every unpinned order, by pinRank (then seq), regardless of deadline.
   */
  pinned?: boolean;
  /** Position among pinned orders (e.g. the index in the previous schedule); missing ranks go last. */
  pinRank?: number;
  /** Per-order production buffer for the rope (a product override); the policy's otherwise. */
  productionBufferDays?: number;
}

/** Where an order stands in drum sequence: enough to resume a walk after it (a schedule page's cursor). */
export type SequenceKey = Pick<DrumOrder, 'id' | 'deadline' | 'seq' | 'pinned' | 'pinRank'>;

/** One order's place on the drum, in drum sequence. */
export interface ScheduledOrder {
  id: string;
  load: number;
  deadline: Minute;
  /** First working minute of the order on the drum (= finish when load is 0). */
  start: Minute;
  /** The instant its last working minute ends. */
  finish: Minute;
  /** Rope: material release instant (never before now). */
  release: Minute;
  releaseDate: LocalDate;
  /** Drum working minutes between planned finish and deadline; negative when late. */
  slack: number;
  late: boolean;
  pinned: boolean;
}

export function validateOrder(o: DrumOrder): void {
  if (typeof o.id !== 'string' || o.id.length === 0) throw new RangeError('order id must be a non-empty string');
  if (!Number.isInteger(o.load) || o.load < 0) throw new RangeError(`order ${o.id}: load must be an integer >= 0, got ${o.load}`);
  if (!Number.isInteger(o.deadline)) throw new RangeError(`order ${o.id}: deadline must be an integer minute, got ${o.deadline}`);
  if (!Number.isFinite(o.seq)) throw new RangeError(`order ${o.id}: seq must be a finite number, got ${o.seq}`);
}

/** Jackson's rule with the commit sequence as tie-break: the unpinned drum order. */
export function compareByDeadline(a: SequenceKey, b: SequenceKey): number {
  return a.deadline - b.deadline || a.seq - b.seq || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export function compareByPin(a: SequenceKey, b: SequenceKey): number {
  return (a.pinRank ?? Infinity) - (b.pinRank ?? Infinity) || a.seq - b.seq || compareByDeadline(a, b);
}
