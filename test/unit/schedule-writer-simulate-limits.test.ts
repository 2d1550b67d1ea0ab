import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { findOrder } from '../../src/db/repos/orders.ts';
import { realPostgresAvailable } from '../helpers/db.ts';
import { openWriter, planner, reserveIn, setUpPlant, type WriterHarness } from '../helpers/writer-plant.ts';

// A simulation holds the plant's row lock, so it gives up rather than keep the plant's writes
// waiting: a 503 with retryAfterSeconds when it waited for the lock too long or ran past its
// limit (ScheduleWriter.simulate, SIMULATION_LIMIT_MS = 5 s). PostgreSQL only: the lock is held
// from a second connection, which PGlite (one connection) cannot have.

describe.runIf(realPostgresAvailable())('simulation limits on postgres', () => {
  let h: WriterHarness;
  beforeAll(async () => {
    h = await openWriter('postgres');
    await setUpPlant(h, 'sim');
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await h.close();
  });

  it('a simulation that waits for the plant lock past its limit is a 503 to retry, and the next one runs', async () => {
    let unlock!: () => void;
    const unlocked = new Promise<void>((resolve) => (unlock = resolve));
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const holder = h.db.db.transaction().execute(async (tx) => {
      await tx.selectFrom('plants').select('id').where('id', '=', 'sim').forUpdate().execute();
      locked();
      await unlocked;
    });
    await isLocked;
    let ran = false;
    const busy = h.writer.simulate('sim', async () => (ran = true));
    await expect(busy).rejects.toMatchObject({ kind: 'service-unavailable', extensions: { retryAfterSeconds: 5 } });
    expect(ran).toBe(false);
    unlock();
    await holder;
    expect(await h.writer.simulate('sim', async () => 'free')).toBe('free');
  });

  it('a simulation whose writes come after its limit stops with a 503, and nothing stays', async () => {
    const real = performance.now.bind(performance);
    let skew = 0;
    vi.spyOn(performance, 'now').mockImplementation(() => real() + skew);
    let first = '';
    const run = h.writer.simulate('sim', async (sim) => {
      first = (await sim.write(planner, (ctx) => reserveIn(ctx, { quantity: 1 }))).result.id;
      skew = 5_100;
      await sim.write(planner, (ctx) => reserveIn(ctx, { quantity: 1 }));
    });
    await expect(run).rejects.toMatchObject({ kind: 'service-unavailable', extensions: { retryAfterSeconds: 5 } });
    vi.restoreAllMocks();
    expect(first).not.toBe('');
    expect(await findOrder(h.db.db, 'sim', first)).toBeUndefined();
    // Just inside the limit, a write still runs.
    skew = 0;
    const real2 = performance.now.bind(performance);
    vi.spyOn(performance, 'now').mockImplementation(() => real2() + skew);
    const ok = await h.writer.simulate('sim', async (sim) => {
      skew = 4_000;
      return (await sim.write(planner, (ctx) => reserveIn(ctx, { quantity: 1 }))).version;
    });
    vi.restoreAllMocks();
    expect(ok).toBeGreaterThan(0);
  });
});
