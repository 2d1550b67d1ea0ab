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
  private checking = false;

  /** `probe` is one database round trip: only its success ends an outage. */
  constructor(
    private readonly log: FastifyBaseLogger,
    private readonly probe: () => Promise<unknown>,
  ) {}

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

  /**
   * Called when a request was served without a server error. That alone proves nothing (a
   * liveness probe or a 400 never touches the database), so one round trip decides whether
   * the outage is over; one at a time, and a failed one leaves it as it was.
   */
  served() {
    if (this.since === null || this.checking) return;
    this.checking = true;
    this.probe()
      .then(() => {
        if (this.since === null) return;
        this.log.warn(`database available again after ${Math.round((Date.now() - this.since) / 1000)} s`);
        this.since = null;
      })
      .catch(() => {})
      .finally(() => {
        this.checking = false;
      });
  }
}
