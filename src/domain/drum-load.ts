import type { Operation } from './products.ts';

/**
 * Minutes an order needs on the drum: setup plus quantity × run time of every routing
 * operation on the drum resource, rounded up to whole minutes (the engine works in
 * integer minutes; rounding up never promises capacity the drum does not have).
 */
export function drumLoadMinutes(routing: readonly Operation[], drumId: string, quantity: number): number {
  const exact = routing
    .filter((op) => op.resource === drumId)
    .reduce((sum, op) => sum + op.setupMinutes + quantity * op.runMinutesPerUnit, 0);
  return Math.ceil(exact - 1e-9);
}

export function usesDrum(routing: readonly Operation[], drumId: string): boolean {
  return routing.some((op) => op.resource === drumId);
}
