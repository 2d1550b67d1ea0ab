import type { Calendar } from '../../src/engine/calendar-types.ts';
import type { CheckerInput } from './plan-checker.ts';

/** `GET …/plan` as the API publishes it (the fields the checker reads). */
export interface PublishedPlan {
  orders: {
    orderId: string;
    status: 'held' | 'confirmed' | 'released' | 'in_progress';
    promiseDate: string;
    shippingBufferDays: number;
    materialAvailableAt: string | null;
    plannedRelease: string | null;
    releasedAt: string | null;
    late: boolean;
    /** The plan ends after the shipping buffer's start but by the promised day (a fact consumed it). */
    bufferConsumed?: boolean;
    operations: { position: number; resource: string; minutes: number; start: string; end: string }[];
  }[];
}

export const minuteOf = (iso: string) => Math.floor(Date.parse(iso) / 60_000);

/**
 * The independent checker's input from a plant's published plan and the calendars the test
 * gave its resources (with any capacity change the test made added as an exception): only
 * what the API says, nothing from the engine.
 */
export function checkerInputFrom(
  published: PublishedPlan,
  plant: { now: number; timeZone: string; drum: string; calendars: Record<string, Omit<Calendar, 'timeZone'>> },
): CheckerInput {
  return {
    now: plant.now,
    plant: {
      timeZone: plant.timeZone,
      drum: plant.drum,
      resources: Object.entries(plant.calendars).map(([id, c]) => ({ id, calendar: { timeZone: plant.timeZone, ...c } })),
    },
    orders: published.orders.map((o) => ({
      id: o.orderId,
      status: o.status,
      atRisk: o.late,
      bufferConsumed: o.bufferConsumed ?? false,
      promise: o.promiseDate,
      shippingBufferDays: o.shippingBufferDays,
      materialAvailable: o.materialAvailableAt ? minuteOf(o.materialAvailableAt) : null,
      release: minuteOf(o.releasedAt ?? o.plannedRelease!),
      operations: o.operations.map(({ position, resource, minutes }) => ({ position, resource, minutes })),
    })),
    plan: Object.fromEntries(
      published.orders.map((o) => [
        o.orderId,
        o.operations.map((op) => ({ position: op.position, resource: op.resource, start: minuteOf(op.start), end: minuteOf(op.end) })),
      ]),
    ),
  };
}
