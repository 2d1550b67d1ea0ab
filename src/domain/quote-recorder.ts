import type { Db } from '../db/database.ts';
import { insertQuoteLog, type QuoteLogInsert } from '../db/repos/quote-log.ts';

export interface QuoteRecord {
  /** Given in the quote's answer, so a hold or order can name the quote it came from. */
  id: string;
  plantId: string;
  at: Date;
  actor: string;
  sku: string;
  quantity: number;
  requestedDate: string | null;
  earliestPromiseDate: string;
  requestedFeasible: boolean | null;
  drumLoadMinutes: number;
  scheduleVersion: number;
  /** The salesperson: the key that asked. */
  owner: string;
  customer: string | null;
}

/**
 * Every quote is recorded for the promise KPIs, but never on the request path: records are
 * buffered in memory and written in batches. A crash loses at most one interval of quote
 * records, never a schedule change. A failed write is reported (`onError`) and its records go
 * back to the buffer for the next flush (the insert ignores records already written); only
 * past `maxPending` records, while the database stays down, are the oldest dropped, and
 * reported as dropped.
 */
export class QuoteRecorder {
  private buffer: QuoteRecord[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  private readonly write: (rows: QuoteLogInsert[]) => Promise<void>;

  /** `to`: the database, or (tests) the function that writes one batch of rows. */
  constructor(
    to: Db | ((rows: QuoteLogInsert[]) => Promise<void>),
    private readonly maxBuffer = 5_000,
    private readonly onError: (err: unknown, info: { pending: number; dropped: number }) => void = () => {},
    private readonly maxPending = 100_000,
  ) {
    this.write = typeof to === 'function' ? to : (rows) => insertQuoteLog(to, rows);
  }

  record(entry: QuoteRecord) {
    this.buffer.push(entry);
    if (this.buffer.length >= this.maxBuffer) void this.flush();
  }

  start(intervalMs = 1_000) {
    this.timer = setInterval(() => void this.flush(), intervalMs);
    this.timer.unref();
  }

  /** Records waiting to be written (a failed write's included). */
  get pending(): number {
    return this.buffer.length;
  }

  /** Writes what is buffered; concurrent calls queue behind each other. Never rejects: a failure is reported and retried. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.writeBatch());
    return this.flushing;
  }

  async stop() {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }

  private async writeBatch() {
    while (this.buffer.length > 0) {
      const batch = this.buffer.splice(0, 5_000);
      try {
        await this.insert(batch);
      } catch (err) {
        this.buffer.unshift(...batch);
        const dropped = Math.max(0, this.buffer.length - this.maxPending);
        this.buffer.splice(0, dropped);
        this.onError(err, { pending: this.buffer.length, dropped });
        return;
      }
    }
  }

  private async insert(batch: readonly QuoteRecord[]) {
    await this.write(
      batch.map((q) => ({
        plant_id: q.plantId,
        id: q.id,
        at: q.at.toISOString(),
        actor: q.actor,
        sku: q.sku,
        quantity: q.quantity,
        requested_date: q.requestedDate,
        earliest_promise_date: q.earliestPromiseDate,
        requested_feasible: q.requestedFeasible,
        drum_load_minutes: q.drumLoadMinutes,
        schedule_version: q.scheduleVersion,
        owner: q.owner,
        customer: q.customer,
      })),
    );
  }
}
