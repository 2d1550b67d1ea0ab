import type { DrumOrder, SequenceKey } from './drum-order.ts';
import type { Minute, WorkingTime } from './working-time.ts';

/**
 * The read-only queries of a drum book that the functions built on it (schedule, quote,
 * price of a date) need. `DrumBook` implements it; those functions take this interface
 * rather than the class, so the class can call them without an import cycle.
 */
export interface DrumView {
  readonly workingTime: WorkingTime;
  /** The earliest drum deadline at which a new order of `load` minutes fits, searched no later than `until` (see DrumBook). */
  earliestDeadline(now: Minute, load: number, until?: Minute): Minute;
  /** Extra drum minutes needed before `deadline` for a new order of `load` to fit; 0 when it fits. */
  deficit(now: Minute, load: number, deadline: Minute): number;
  /** Planned start and finish of a new order committed with this deadline. */
  plannedSlot(now: Minute, load: number, deadline: Minute): { start: Minute; finish: Minute };
  /** Visits every order in drum sequence with the load before it and cumulative(deadline). */
  forEachInSequence(visit: (order: DrumOrder, before: number, cumulativeDeadline: number) => void): void;
  /** The same from just after `after` (from the start when undefined) until visit returns false; O(log n + visited). */
  forEachInSequenceAfter(
    after: SequenceKey | undefined,
    visit: (order: DrumOrder, before: number, cumulativeDeadline: number) => boolean,
  ): void;
}
