import type { Db } from '../db/database.ts';
import type { DbHandle } from '../db/connect.ts';
import type { Clock } from '../domain/clock.ts';
import type { KeyResolver } from '../domain/key-resolver.ts';
import type { PromisingDeps } from '../domain/promising/quotes.ts';
import type { ScheduleWriter } from '../domain/schedule/schedule-writer.ts';
import type { WebhookDeps } from '../domain/webhooks/subscriptions.ts';

/**
 * The types the app factory and its route plugins share. They live here, not in app.ts,
 * so that routes never import the file that imports them (no import cycle).
 */
export interface AppDeps {
  db: Db;
  clock: Clock;
  /** Largest quantity accepted on one order line. */
  maxOrderQuantity: number;
  /** Reach of accepted dates and engine searches, in days from today (default about five years). */
  planningHorizonDays?: number | undefined;
  /** Database change notifications; without them every read checks versions in the database. */
  listen?: DbHandle['listen'] | undefined;
  /** The process's write path; tests pass their own to reach its seams. Default: a new one. */
  writer?: ScheduleWriter | undefined;
}

/** What route plugins receive: the app's dependencies plus this process's engine cache. */
export interface RouteDeps extends AppDeps {
  promising: PromisingDeps;
  planningHorizonDays: number;
  /** This process's API key cache (a revocation drops the key here at once, elsewhere via the feed). */
  keys: KeyResolver;
  /** Webhook subscriptions: settings (secret key, allow list) and this process's deliverer's wake-up. */
  webhooks: WebhookDeps;
  /** Days a what-if scenario lives after its last change (SCENARIO_TTL_DAYS). */
  scenarioTtlDays: number;
}
