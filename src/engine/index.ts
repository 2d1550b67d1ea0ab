/** The public engine API: pure, deterministic, no I/O and no clock (`now` is an argument). */
export * from './calendar-types.ts';
export * from './working-time.ts';
export * from './calendar.ts';
export * from './buffer-days.ts';
export * from './drum-order.ts';
export { DrumBook, type BookCheckpoint } from './drum-book.ts';
export * from './drum-state.ts';
export * from './quote.ts';
export * from './price-of-date.ts';
export * from './overtime-suggestion.ts';
export * from './capacity-change.ts';
export * from './buffer-status.ts';
export * from './route-book/route-types.ts';
export { RouteBook, DEFAULT_LOOKAHEAD } from './route-book/route-book.ts';
export type { DrumPlanCursor } from './route-drum/drum-plan.ts';
export { splitRoute, type SplitRoute } from './route-book/route-split.ts';
export type { ProgressOutcome } from './route-book/route-progress.ts';
export { longestWaitOf, projectedFinishOf, type AtRisk, type RouteTick } from './route-book/route-tick.ts';
