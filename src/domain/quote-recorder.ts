import type { Db } from '../db/database.ts';
import { insertQuoteLog } from '../db/repos/quote-log.ts';

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
 * records, never a schedule change.
 */
export class QuoteRecorder {
  private buffer: QuoteRecord[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Db,
    private readonly maxBuffer = 5_000,
  ) {}

  record(entry: QuoteRecord) {
    this.buffer.push(entry);
    if (this.buffer.length >= this.maxBuffer) void this.flush();
  }

  start(intervalMs = 1_000) {
    this.timer = setInterval(() => void this.flush(), intervalMs);
    this.timer.unref();
  }

  /** Writes what is buffered; concurrent calls queue behind each other. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.writeBatch()).catch(() => {});
    return this.flushing;
  }

  async stop() {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }

  private async writeBatch() {
    while (this.buffer.length > 0) {
      const batch = this.buffer.splice(0, 5_000);
      await insertQuoteLog(
        this.db,
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
}
