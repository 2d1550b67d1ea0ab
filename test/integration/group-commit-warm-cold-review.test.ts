import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../src/domain/errors.ts';
import { PlantCache, type PlantState } from '../../src/domain/schedule/plant-cache.ts';
import { ScheduleWriter, type WriteContext } from '../../src/domain/schedule/schedule-writer.ts';
import { putResource } from '../../src/domain/resources.ts';
import { twoShiftWeek } from '../helpers/builders.ts';
import { plantMaker, reserveIn, sales, syncedState, useWriter, writerKinds } from '../helpers/writer-plant.ts';

// Review of the cross-plant group commit: two processes (writers with caches of their own)
// write overlapping plants in groups, with refusals and writes PostgreSQL rejects (the group
// rolls back and reruns plant by plant) mixed in. After every round each process's cached
// state, brought to the stored versions, must equal a cold build. Seeded, so a failure replays.

const rng = (seed: number) => () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;

const fingerprint = (s: PlantState) => ({
  orders: (s.book?.orders() ?? []).map((o) => ({ ...o })).sort((a, b) => a.id.localeCompare(b.id)),
  expiries: [...s.holdExpiry.entries()].sort(([a], [b]) => a.localeCompare(b)),
});

describe.skipIf(!writerKinds().includes('postgres'))('cross-plant groups of two processes, warm against cold (review)', () => {
  const h = useWriter('postgres', async (h) => {
    await sql`
      CREATE OR REPLACE FUNCTION refuse_poison_review() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.customer = 'poison' THEN RAISE EXCEPTION 'injected failure for customer %', NEW.customer; END IF;
        RETURN NEW;
      END $$`.execute(h.db.db);
    await sql`CREATE TRIGGER refuse_poison_review BEFORE INSERT ON orders FOR EACH ROW EXECUTE FUNCTION refuse_poison_review()`.execute(
      h.db.db,
    );
  });
  const newPlant = plantMaker(h, 'gcwc');

  it.each(Array.from({ length: Number(process.env.GC_REVIEW_SEEDS ?? 4) }, (_, i) => i + 1))(
    'seed %i: every process state equals a cold one after each round',
    async (seed) => {
      const plants = [await newPlant(), await newPlant(), await newPlant()];
      const caches = [h.cache, new PlantCache()];
      const writers = caches.map((cache) => new ScheduleWriter({ db: h.db.db, clock: h.clock, cache }));
      const groups: number[] = [];
      for (const w of writers) w.groupObserver = (n) => void groups.push(n);
      const rand = rng(seed);
      const op = (): ((ctx: WriteContext) => Promise<unknown>) => {
        const r = rand();
        const quantity = 1 + Math.floor(rand() * 40);
        if (r < 0.1) return (ctx) => reserveIn(ctx, { quantity }, { customer: 'poison' });
        if (r < 0.25)
          return async (ctx) => {
            await reserveIn(ctx, { quantity }, { customer: 'refused' });
            throw new DomainError('conflict', 'refused after its order was written');
          };
        return (ctx) => reserveIn(ctx, { quantity }, { customer: `c${Math.floor(rand() * 1000)}` });
      };
      const granted: string[] = [];
      const before = new Map(
        (await h.db.db.selectFrom('plants').select(['id', 'config_version']).where('id', 'in', plants).execute()).map((r) => [
          r.id,
          r.config_version,
        ]),
      );
      for (let round = 0; round < 6; round++) {
        const work = writers.map(async (w) => {
          const chosen = plants.filter(() => rand() < 0.7);
          const releases = chosen.map((p) => w.hold(p));
          const pending: Promise<unknown>[] = chosen.flatMap((p) =>
            Array.from({ length: 1 + Math.floor(rand() * 3) }, () => w.write(p, sales, op())),
          );
          // Capacity rules change inside the group too (the batch rebuilds its state before its next write).
          for (const p of chosen)
            if (rand() < 0.3) {
              const end = rand() < 0.5 ? '22:00' : '23:00';
              const weekly = twoShiftWeek.map((s) => (s.start === '14:00' ? { ...s, end } : s));
              void pending.splice(
                Math.floor(rand() * pending.length),
                0,
                putResource({ ...w.deps, writer: w }, null, p, 'cnc', {
                  name: 'CNC',
                  drum: true,
                  calendar: { weekly, exceptions: [] },
                }).then(() => ({ result: null })),
              );
            }
          for (const release of releases) release();
          return Promise.allSettled(pending);
        });
        for (const s of (await Promise.all(work)).flat()) {
          const result = s.status === 'fulfilled' ? (s.value as { result: { id: string } | null }).result : null;
          if (result) granted.push(result.id);
        }
        // Every write answered as granted is stored, and nothing else is (no lost or phantom order).
        const stored = await h.db.db.selectFrom('orders').select('id').where('plant_id', 'in', plants).execute();
        expect(stored.map((r) => r.id).sort()).toEqual([...granted].sort());
        for (const [i, cache] of caches.entries())
          for (const p of plants) {
            const warm = fingerprint(await syncedState(h, p, cache));
            const cold = fingerprint(await syncedState(h, p));
            expect({ process: i, round, plant: p, ...warm }).toEqual({ process: i, round, plant: p, ...cold });
          }
      }
      // Some capacity changes committed (each moves its plant's config version).
      const configs = await h.db.db.selectFrom('plants').select(['id', 'config_version']).where('id', 'in', plants).execute();
      expect(configs.some((c) => c.config_version > before.get(c.id)!)).toBe(true);
      // The rounds did commit several plants in one transaction (what this test is about).
      expect(groups.some((n) => n >= 2)).toBe(true);
    },
  );
});
