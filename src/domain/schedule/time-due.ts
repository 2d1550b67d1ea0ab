import type { RouteBook } from '../../engine/index.ts';
import type { PlantState } from './plant-cache.ts';
import { TICK_STEP_MINUTES } from './tick-step.ts';

/** Per route book: the revision and the minute at which time passing was last found to move nothing. */
const quiet = new WeakMap<RouteBook, { revision: number; minute: number }>();

/**
 * Whether time passing would move the plan at `nowMinute` (withTimePassed's own test,
 * RouteBook.tickDue with the tick's step). A "no" is remembered per route book while its
 * revision (which changes with any change to the book, rollbacks included) and the minute
 * stay the same: tickDue depends on nothing else (the calendars belong to the book, a new
 * calendar is a new book), so quotes between two writes of the same minute test it once.
 * A "yes" is not remembered (withTimePassed then applies the tick). Every read answered as the
 * next write would see the plan asks it (withTimePassed): quotes, plans, schedule pages.
 */
export function timePassingDue(state: PlantState, nowMinute: number): boolean {
  const route = state.route;
  if (!route) return false;
  const seen = quiet.get(route);
  if (seen && seen.revision === route.revision && seen.minute === nowMinute) return false;
  const due = route.tickDue(nowMinute, nowMinute + TICK_STEP_MINUTES);
  if (!due) {
    if (seen) {
      seen.revision = route.revision;
      seen.minute = nowMinute;
    } else quiet.set(route, { revision: route.revision, minute: nowMinute });
  }
  return due;
}
