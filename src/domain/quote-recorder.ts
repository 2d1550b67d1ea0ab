import type { Db } from '../db/database.ts';
import { insertQuoteLog, type QuoteLogInsert } from '../db/repos/quote-log.ts';
import { PendingQuoteRecords } from './pending-quote-records.ts';

/** Writes one batch; `mayExist`: some of its rows may be stored already (skip those, never fail on them). */
type QuoteLogWriter = (rows: QuoteLogInsert[], opts: { mayExist: boolean }) => Promise<void>;

export interface QuoteRecord extends QuoteLogInsert {
  /** Given in the quote's answer, so a hold or order can name the quote it came from. */
  id: string;
  /** The salesperson: the key that asked. */
  owner: string;
}

/**
 * Every quote is recorded for the promise KPIs, but never on the request path: records are
 * buffered in memory and written in batches. A crash loses at most one interval of quote
 * records, never a schedule change. A failed write is reported (`onError`) and its records go
 * back to the buffer for the next flush; since that write may have been stored all the same
 * (a connection lost after the commit), the batches holding them are written with `mayExist`,
 * which skips records already there. Fresh batches are written without that check (it costs
 * PostgreSQL CPU on every row). Only past `maxPending` records, while the database stays down,
 * are the oldest dropped, and reported as dropped.
 */
export class QuoteRecorder {
  private readonly buffer = new PendingQuoteRecords();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  /** The first this many buffered records were in a write that failed: they may be stored already. */
  private unsure = 0;
  /** A flush for a full buffer is queued and has not started: the records arriving meanwhile join it. */
  private fullFlushQueued = false;
  /** The last write failed: only the timer (and callers of flush) retry until one succeeds, not every quote past the bound. */
  private failing = false;

  private readonly write: QuoteLogWriter;

  /** `to`: the database, or (tests) the function that writes one batch of rows. */
  constructor(
    to: Db | QuoteLogWriter,
    private readonly maxBuffer = 5_000,
    private readonly onError: (err: unknown, info: { pending: number; dropped: number }) => void = () => {},
    private readonly maxPending = 100_000,
  ) {
    this.write = typeof to === 'function' ? to : (rows, opts) => insertQuoteLog(to, rows, opts);
  }

  record(entry: QuoteRecord) {
    this.buffer.push(entry);
    // One queued flush writes the whole buffer; one per record past the bound would lengthen the
    // chain of flushes by a link per quote while a slow write is in flight.
    if (this.buffer.length >= this.maxBuffer && !this.fullFlushQueued && !this.failing) {
      this.fullFlushQueued = true;
      void this.flush();
    }
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
    this.fullFlushQueued = false;
    // Only what is buffered now: records arriving during these writes wait for the next flush.
    // Chasing them made, under steady quotes, an endless run of writes of the few records that
    // arrived during the last one, each its own statement and commit.
    let left = this.buffer.length;
    while (left > 0) {
      const batch = this.buffer.take(Math.min(left, 5_000));
      left -= batch.length;
      const mayExist = this.unsure > 0;
      try {
        await this.insert(batch, mayExist);
        this.failing = false;
        this.unsure = Math.max(0, this.unsure - batch.length);
      } catch (err) {
        this.failing = true;
        this.buffer.putBack(batch);
        this.unsure = Math.max(this.unsure, batch.length);
        const dropped = Math.max(0, this.buffer.length - this.maxPending);
        this.buffer.drop(dropped);
        this.unsure = Math.max(0, this.unsure - dropped);
        this.onError(err, { pending: this.buffer.length, dropped });
        return;
      }
    }
  }

  private async insert(batch: QuoteLogInsert[], mayExist: boolean) {
    await this.write(batch, { mayExist });
  }
}
