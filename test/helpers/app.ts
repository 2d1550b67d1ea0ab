import type { Role } from '../../src/domain/actor.ts';
import { createApiKey } from '../../src/domain/api-keys.ts';
import { fixedClock } from '../../src/domain/clock.ts';
import { buildApp, type App } from '../../src/http/app.ts';
import { openTestDb, type TestDb } from './db.ts';

export interface TestApp {
  app: App;
  db: TestDb;
  clock: ReturnType<typeof fixedClock>;
  keys: Record<Role, string>;
  /** Authorization header for a role. */
  as(role: Role): { authorization: string };
  close(): Promise<void>;
}

export const DEFAULT_NOW = '2026-11-23T08:00:00Z';

/**
 * Builds the real app on an isolated database, with one API key per role and a settable clock.
 * The background hold sweeper is off unless holdSweepMs is given.
 */
export async function buildTestApp(opts: { kind?: 'postgres' | 'pglite'; now?: string; holdSweepMs?: number } = {}): Promise<TestApp> {
  const db = await openTestDb(opts.kind ? { kind: opts.kind } : {});
  const clock = fixedClock(opts.now ?? DEFAULT_NOW);
  const app = await buildApp(
    { db: db.db, clock, maxOrderQuantity: 100_000, listen: db.listen },
    opts.holdSweepMs ? { holdSweepMs: opts.holdSweepMs } : {},
  );
  await app.ready();
  const keys = {} as Record<Role, string>;
  for (const role of ['admin', 'planner', 'sales', 'erp'] as const) {
    keys[role] = (await createApiKey(db.db, { name: `test ${role}`, role, plantIds: null })).key;
  }
  return {
    app,
    db,
    clock,
    keys,
    as: (role) => ({ authorization: `Bearer ${keys[role]}` }),
    close: async () => {
      await app.close();
      await db.close();
    },
  };
}
