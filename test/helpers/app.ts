import { randomBytes } from 'node:crypto';
import type { FastifyServerOptions } from 'fastify';
import type { KyselyPlugin } from 'kysely';
import type { Role } from '../../src/domain/actor.ts';
import { createApiKey } from '../../src/domain/api-keys.ts';
import { fixedClock } from '../../src/domain/clock.ts';
import type { ScheduleWriter } from '../../src/domain/schedule/schedule-writer.ts';
import { buildApp, newScheduleWriter, type App, type BuildOptions } from '../../src/http/app.ts';
import { openTestDb, type TestDb } from './db.ts';

export interface TestApp {
  app: App;
  db: TestDb;
  clock: ReturnType<typeof fixedClock>;
  /** The app's write path (its seams force writes into one batch). */
  writer: ScheduleWriter;
  keys: Record<Role, string>;
  /** Authorization header for a role. */
  as(role: Role): { authorization: string };
  close(): Promise<void>;
}

const DEFAULT_NOW = '2026-11-23T08:00:00Z';

/**
 * Builds the real app on an isolated database, with one API key per role and a settable clock.
 * The background hold sweeper is off unless holdSweepMs is given.
 */
export async function buildTestApp(
  opts: {
    kind?: 'postgres' | 'pglite';
    now?: string;
    logger?: FastifyServerOptions['logger'];
    build?: BuildOptions;
    holdSweepMs?: number;
    /** Sees every query the app sends (e.g. a QueryCounter). */
    plugin?: KyselyPlugin;
  } = {},
): Promise<TestApp> {
  const db = await openTestDb(opts.kind ? { kind: opts.kind } : {});
  const clock = fixedClock(opts.now ?? DEFAULT_NOW);
  const appDb = opts.plugin ? db.db.withPlugin(opts.plugin) : db.db;
  const writer = newScheduleWriter({ db: appDb, clock, listen: db.listen });
  const app = await buildApp(
    { db: appDb, clock, maxOrderQuantity: 100_000, listen: db.listen, writer },
    {
      ...(opts.logger !== undefined ? { logger: opts.logger } : {}),
      ...(opts.holdSweepMs ? { holdSweepMs: opts.holdSweepMs } : {}),
      ...opts.build,
      // Every test app can seal webhook secrets (a server without WEBHOOK_SECRET_KEY on PostgreSQL cannot: 503).
      webhooks: { secretKey: randomBytes(32), ...opts.build?.webhooks },
    },
  );
  await app.ready();
  const keys = {} as Record<Role, string>;
  for (const role of ['admin', 'planner', 'sales', 'erp', 'floor'] as const) {
    keys[role] = (await createApiKey(db.db, { name: `test ${role}`, role, plantIds: null })).key;
  }
  return {
    app,
    db,
    clock,
    writer,
    keys,
    as: (role) => ({ authorization: `Bearer ${keys[role]}` }),
    close: async () => {
      await app.close();
      await db.close();
    },
  };
}

/**
 * A second service process on the test app's database and clock (its own caches, write path and
 * change notifications), as a deployment of several processes has; the caller closes it.
 */
export async function buildSecondApp(t: TestApp): Promise<App> {
  const { db, clock } = t;
  const other = await buildApp(
    {
      db: db.db,
      clock,
      maxOrderQuantity: 100_000,
      listen: db.listen,
      writer: newScheduleWriter({ db: db.db, clock, listen: db.listen }),
    },
    { webhooks: { secretKey: randomBytes(32) } },
  );
  await other.ready();
  return other;
}
