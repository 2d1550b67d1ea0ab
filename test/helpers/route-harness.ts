import type { BufferPolicy } from '../../src/engine/buffer-days.ts';
import { buildWorkingTime } from '../../src/engine/calendar.ts';
import type { RouteBook } from '../../src/engine/route-book/route-book.ts';
import type { RouteDemand } from '../../src/engine/route-book/route-types.ts';
import type { WorkingTime } from '../../src/engine/working-time.ts';
import type { CheckerInput } from './plan-checker.ts';
import { checkerPlantOf, HORIZON_DAYS, operationMinutes, type RandomPlant } from './plant-gen.ts';

/** A random plant ready for RouteBook tests: working times, the checker's plant, demands by product. */
export interface Harness {
  plant: RandomPlant;
  wts: Map<string, WorkingTime>;
  checkerPlant: CheckerInput['plant'];
  demandOf(product: number, quantity: number, material: number | null): RouteDemand;
  horizon: number;
}

export function harnessOf(plant: RandomPlant): Harness {
  const wts = new Map<string, WorkingTime>();
  for (const r of plant.resources) wts.set(r.id, buildWorkingTime({ timeZone: plant.plant.timeZone, ...r.put.calendar }));
  const demandOf = (product: number, quantity: number, material: number | null): RouteDemand => {
    const p = plant.products[product % plant.products.length]!;
    const pb = p.put.productionBufferDays ?? plant.bufferPolicy.productionBufferDays;
    const policy: BufferPolicy = {
      productionBufferDays: pb,
      shippingBufferDays: p.put.shippingBufferDays ?? plant.bufferPolicy.shippingBufferDays,
      standardLeadTimeDays: Math.max(plant.bufferPolicy.standardLeadTimeDays, pb),
    };
    return {
      ops: p.put.routing.map((op) => ({ resource: op.resource, minutes: operationMinutes(op, quantity) })),
      policy,
      materialAvailable: material === null ? null : plant.start + material,
    };
  };
  return { plant, wts, checkerPlant: checkerPlantOf(plant), demandOf, horizon: plant.start + (HORIZON_DAYS + 10) * 1440 };
}

/** The checker's view of a book's published plan. */
export function checkerInputOf(h: Harness, book: RouteBook, now: number, material: ReadonlyMap<string, number | null>): CheckerInput {
  const plans = book.plan(now);
  const input: CheckerInput = { now, plant: h.checkerPlant, orders: [], plan: {} };
  for (const p of plans) {
    const rec = book.get(p.id)!;
    input.orders.push({
      id: p.id,
      status: 'confirmed',
      atRisk: false,
      bufferConsumed: false,
      promise: rec.promiseDate,
      shippingBufferDays: rec.shippingBufferDays,
      materialAvailable: material.get(p.id) ?? null,
      release: p.plannedRelease ?? now,
      operations: p.operations.map((op) => ({ position: op.position, resource: op.resource, minutes: op.minutes })),
    });
    input.plan[p.id] = p.operations.map((op) => ({ position: op.position, resource: op.resource, start: op.start, end: op.end }));
  }
  return input;
}
