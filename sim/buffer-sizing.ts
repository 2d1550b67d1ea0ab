import type { PlantSpec } from './plant.ts';
import { plannedMinutes } from './plant.ts';
import type { BufferPolicy } from '../src/engine/index.ts';

/**
 * Per-product buffers from the routing, the way a planner would first size them (the
 * domain allows per-product overrides of the plant policy), in whole working days, each
 * for the product's largest order:
 * - rope ⌈PB/2⌉ covers the work before the drum (at least one day), so PB = 2 × that;
 * - the shipping buffer covers the work after the drum plus one day of protection
 *   against the drum running behind its plan (breakdowns, slow operations);
 * - the standard lead time (the promise floor) is rope + shipping buffer. This is a
 *   workaround: the engine plans a new order on the drum as if its material were at the
 *   drum now, so when the drum's queue is short, an order with work before the drum
 *   would be promised a date its upstream operations cannot make. The floor makes the
 *   promise cover the trip to the drum.
 */
export function buffersFromRouting(plant: PlantSpec, protectionDays = 1): Map<string, BufferPolicy> {
  const day = plant.minutesPerDay;
  const out = new Map<string, BufferPolicy>();
  for (const p of plant.products) {
    const drumAt = p.routing.findIndex((o) => o.station === plant.drum);
    const work = (ops: typeof p.routing) => ops.reduce((s, o) => s + plannedMinutes(o, plant.demand.quantity.max), 0);
    const ropeDays = Math.max(1, Math.ceil(work(p.routing.slice(0, drumAt)) / day));
    const shippingBufferDays = Math.ceil(work(p.routing.slice(drumAt + 1)) / day) + protectionDays;
    out.set(p.id, {
      productionBufferDays: 2 * ropeDays,
      shippingBufferDays,
      standardLeadTimeDays: ropeDays + shippingBufferDays,
    });
  }
  return out;
}

/**
 * Per-product buffers for the whole-route engine (RouteBook), which places each order's
 * work before and after the drum on those resources itself: the shipping buffer is then
 * only the protection after the last operation (the downstream work is already in the
 * quote; buffersFromRouting's SB would count it twice), the production buffer the same
 * 2 × rope as for the drum-only engine (it sets the rope: release ≤ PB days before the
 * promise), and no standard lead time beyond it (the service's floor is max(LT, PB)).
 */
export function routeBuffersFromRouting(plant: PlantSpec, protectionDays = 1): Map<string, BufferPolicy> {
  const out = new Map<string, BufferPolicy>();
  for (const [product, b] of buffersFromRouting(plant, protectionDays)) {
    out.set(product, { productionBufferDays: b.productionBufferDays, shippingBufferDays: protectionDays, standardLeadTimeDays: 0 });
  }
  return out;
}
