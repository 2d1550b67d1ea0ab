import type { Db } from '../../db/database.ts';
import { deleteExpiredWebSessions } from '../../db/repos/web-sessions.ts';
import { applyQuoteRetention } from './quote-retention.ts';

export interface RetentionOptions {
  /** Days quote records are kept one by one (QUOTE_LOG_RETENTION_DAYS); unset: kept. */
  quoteRetentionDays?: number;
}

/**
 * One run of the retention at `now`: forgets the web sessions that ran out (they no longer
 * authenticate, and a board signed in for a shift would otherwise leave a row for ever when
 * nobody signs in again) and folds the quote records past their retention, if one is set.
 */
export async function applyRetention(db: Db, now: Date, opts: RetentionOptions): Promise<void> {
  await deleteExpiredWebSessions(db, now);
  if (opts.quoteRetentionDays) await applyQuoteRetention(db, now, opts.quoteRetentionDays);
}

/**
 * Runs the retention now and then every `intervalMs` (unref'd: never keeps the process alive);
 * returns the stop function, which waits for a run in progress.
 */
export function startRetention(
  db: Db,
  clock: { now(): Date },
  opts: RetentionOptions,
  intervalMs: number,
  onError: (err: unknown) => void,
): () => Promise<void> {
  let running: Promise<unknown> = Promise.resolve();
  const tick = () => {
    running = running.then(() => applyRetention(db, clock.now(), opts)).catch(onError);
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
