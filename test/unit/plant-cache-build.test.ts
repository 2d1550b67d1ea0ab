import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createPlant } from '../../src/domain/plants.ts';
import { PlantCache, toMinute } from '../../src/domain/schedule/plant-cache.ts';
import { planner, reserveIn, setUpPlant, syncedState, useWriter, writerKinds } from '../helpers/writer-plant.ts';

// PlantCache's cold build against the state the write path kept: exactly the hold expiries
// stored, an order without operation rows (a legacy order), and the overdue-work scan over
// plants with and without a drum.

describe.each(writerKinds())('PlantCache cold build on %s', (kind) => {
  const h = useWriter(kind, (harness) => setUpPlant(harness, 'built'));
  const synced = (plant: string, cache?: PlantCache) => syncedState(h, plant, cache);

  it('holds exactly the stored hold expiries, and the plan of an order without operation rows', async () => {
    const held = (await h.writer.write('built', planner, (ctx) => reserveIn(ctx, { quantity: 1 }, { status: 'held', holdTtlSeconds: 900 })))
      .result;
    await h.writer.write('built', planner, (ctx) => reserveIn(ctx, { quantity: 2 }));
    const legacy = await h.writer.write('built', planner, async (ctx) => {
      const row = await ctx.orders.insert({
        id: randomUUID(),
        status: 'confirmed',
        sku: 'P1',
        quantity: 1,
        customer: 'old',
        external_id: null,
        requested_date: '2026-12-15',
        promise_date: '2026-12-15',
        drum_deadline: new Date('2026-12-14T22:00:00Z'),
        drum_load_minutes: 40,
        production_buffer_days: 2,
        shipping_buffer_days: 1,
        seq: ctx.nextSeq(),
        drum_key: 3 << 20,
        planned_release_at: null,
        ready_at: null,
        hold_expires_at: null,
        created_by: 'test',
      });
      ctx.emit({ type: 'bench.seeded', data: { orders: 1, total: 1 } });
      return row;
    });
    const live = h.cache.peek('built')!;
    const s = await synced('built');
    expect([...s.holdExpiry.entries()]).toEqual([[held.id, toMinute(held.hold_expires_at!)]]);
    expect(s.route!.get(legacy.result.id)).toEqual(live.route!.get(legacy.result.id));
    expect(s.route!.get(legacy.result.id)!.ops.map((op) => [op.resource, op.minutes])).toEqual([['cnc', 40]]);
  });

  it('the overdue-work scan passes over a plant without a drum', async () => {
    // Its own order: tests run shuffled, so the one above may not have run yet.
    await h.writer.write('built', planner, (ctx) => reserveIn(ctx, { quantity: 3 }));
    await createPlant(h.db.db, { id: 'drumless', name: 'drumless', timeZone: 'UTC' });
    const cache = new PlantCache();
    await synced('drumless', cache);
    const s = await synced('built', cache);
    const latest = Math.max(...s.route!.orders().map((o) => o.plannedRelease ?? 0));
    expect(cache.plantsWithOverdueWork(latest + 5 * 24 * 60)).toEqual(['built']);
  });
});
