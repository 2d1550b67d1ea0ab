import type { FastifyBaseLogger } from 'fastify';
import { describeDbError, isDatabaseUnavailable } from '../domain/errors.ts';

/** Seconds a client should wait before retrying while the database is away. */
export const OUTAGE_RETRY_AFTER_SECONDS = 5;

/**
 * Tracks a database outage so it is logged once when it starts and once when it ends, not on
 * every failed request or background sweep (an outage under load used to flood the log).
 */
export class DatabaseOutage {
  private since: number | null = null;

  constructor(private readonly log: FastifyBaseLogger) {}

  get active() {
    return this.since !== null;
  }

  /** True (and logged once per outage) when `e` means the database is unreachable. */
  noticed(e: unknown): boolean {
    if (!isDatabaseUnavailable(e)) return false;
    if (this.since === null) {
      this.since = Date.now();
      this.log.error(`database unavailable (${describeDbError(e)}): answering 503 until it is back`);
    }
    return true;
  }

  /** Called when a request was served without a server error: the outage, if any, is over. */
  served() {
    if (this.since === null) return;
    this.log.warn(`database available again after ${Math.round((Date.now() - this.since) / 1000)} s`);
    this.since = null;
  }
}
