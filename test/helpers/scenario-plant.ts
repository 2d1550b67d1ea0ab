import { plantPerTest } from './planning.ts';

/**
 * The plant the what-if scenario tests play in, fresh for each test (plantPerTest, its clock back
 * at Monday 2026-11-23 09:00 Berlin): seedPlant's drum "cnc" works 06:00–22:00 Mon–Fri (960
 * minutes a day, 780 left today); P1 = 30 + 10 × qty drum minutes; PB 2, SB 2, LT 2.
 */
export const SCENARIO_POLICY = { productionBufferDays: 2, shippingBufferDays: 2, standardLeadTimeDays: 2 };

export function scenarioPlant(kind: 'postgres' | 'pglite', prefix: string) {
  const plant = plantPerTest(kind, prefix, SCENARIO_POLICY);
  return {
    plant,
    /** Four orders for the first week of December (290 units, 3 020 drum minutes), in the order they are placed. */
    seedOrders: async () => [
      await plant.c.order({ quantity: 60, promiseDate: '2026-12-02' }),
      await plant.c.order({ quantity: 60, promiseDate: '2026-12-03' }),
      await plant.c.order({ quantity: 80, promiseDate: '2026-12-04' }),
      await plant.c.order({ quantity: 90, promiseDate: '2026-12-01' }),
    ],
  };
}
