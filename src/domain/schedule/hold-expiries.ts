/** A point HoldExpiries can be rolled back to (see checkpoint). */
export interface ExpiryCheckpoint {
  readonly at: number;
}

type UndoEntry = { id: string; previous: number | undefined };

/**
 * The expiry minute of each hold of a plant, so a read can ignore an expired hold without
 * waiting for the sweep. Changes can be undone like the drum book's: checkpoint() starts an
 * undo log, rollback(cp) restores the map as it was, release(cp) keeps the changes.
 */
export class HoldExpiries {
  private readonly minutes = new Map<string, number>();
  private undoLog: UndoEntry[] | null = null;
  private readonly marks: ExpiryCheckpoint[] = [];

  get size(): number {
    return this.minutes.size;
  }

  get(id: string): number | undefined {
    return this.minutes.get(id);
  }

  entries(): IterableIterator<[string, number]> {
    return this.minutes.entries();
  }

  set(id: string, minute: number): void {
    this.undoLog?.push({ id, previous: this.minutes.get(id) });
    this.minutes.set(id, minute);
  }

  delete(id: string): void {
    if (!this.minutes.has(id)) return;
    this.undoLog?.push({ id, previous: this.minutes.get(id) });
    this.minutes.delete(id);
  }

  /** Ids of the holds expired by `nowMinute` (expiry at or before it). */
  due(nowMinute: number): string[] {
    const out: string[] = [];
    for (const [id, m] of this.minutes) if (m <= nowMinute) out.push(id);
    return out;
  }

  checkpoint(): ExpiryCheckpoint {
    this.undoLog ??= [];
    const cp = { at: this.undoLog.length };
    this.marks.push(cp);
    return cp;
  }

  rollback(cp: ExpiryCheckpoint): void {
    const log = this.end(cp);
    while (log.length > cp.at) {
      const { id, previous } = log.pop()!;
      if (previous === undefined) this.minutes.delete(id);
      else this.minutes.set(id, previous);
    }
    if (this.marks.length === 0) this.undoLog = null;
  }

  release(cp: ExpiryCheckpoint): void {
    this.end(cp);
    if (this.marks.length === 0) this.undoLog = null;
  }

  private end(cp: ExpiryCheckpoint): UndoEntry[] {
    const i = this.marks.indexOf(cp);
    if (i < 0 || !this.undoLog) throw new RangeError('not an open checkpoint of these hold expiries');
    this.marks.length = i;
    return this.undoLog;
  }
}
