import type { PlantSpec } from './plant.ts';
import { plannedMinutes } from './plant.ts';
import type { ProductBuffers } from './policies/drumbeat.ts';

/**
 * Per-product buffers from the routing, the way a planner would first size them: the
 * rope (⌈PB/2⌉ working days before the drum start) must cover the work before the drum,
 * and the shipping buffer the work after it plus one day of protection, each for the
 * largest order. Days are whole working days, as the engine wants them.
 */
export function buffersFromRouting(plant: PlantSpec, extraShippingDays = 1): Map<string, ProductBuffers> {
  const day = plant.minutesPerDay;
  const out = new Map<string, ProductBuffers>();
  for (const p of plant.products) {
    const drumAt = p.routing.findIndex((o) => o.station === plant.drum);
    const work = (ops: typeof p.routing) => ops.reduce((s, o) => s + plannedMinutes(o, plant.demand.quantity.max), 0);
    const ropeDays = Math.max(1, Math.ceil(work(p.routing.slice(0, drumAt)) / day));
    out.set(p.id, {
      productionBufferDays: 2 * ropeDays,
      shippingBufferDays: Math.ceil(work(p.routing.slice(drumAt + 1)) / day) + extraShippingDays,
    });
  }
  return out;
}
