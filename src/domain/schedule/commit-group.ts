/** One plant's batch waiting for the process's commit loop; `done` settles it (every write answered). */
export interface PendingBatch<J> {
  readonly plantId: string;
  readonly batch: J[];
  /** The plant's queue: its writes join the batch once the plant is locked. */
  readonly later: J[];
  readonly done: () => void;
  /** How often a group found the plant locked by someone else. */
  skips: number;
  /** Ready for LOCK_WAIT_MS with no place aside: the loop's next free turn takes it, even alone. */
  due?: boolean;
}

/** How the loop commits: one plant on its own (waiting for its lock), or several in one transaction. */
export interface GroupCommitter<J> {
  /** Today's per-plant path: waits for the plant's lock (`locked` is called once it holds it); settles the batch. */
  single(p: PendingBatch<J>, locked: () => void): Promise<void>;
  /**
   * One transaction for all of `group` that never waits for a lock; settles the batches of the
   * plants it locked (or fails their writes), returns the others: `skipped`, to try again in a
   * group, and `alone`, to run again on their own (the per-plant path).
   */
  group(group: PendingBatch<J>[]): Promise<GroupOutcome<J>>;
}

/** What a group transaction left to the loop (GroupCommitter.group). */
export interface GroupOutcome<J> {
  /** Plants it did not lock (someone else holds them), or could not try. */
  skipped: PendingBatch<J>[];
  /** Plants whose part failed for a reason no refusal explains: their batches run again on their own. */
  alone: PendingBatch<J>[];
}

/**
 * At most two transactions of the loop at a time, and a second one only for two plants or
 * more: a plant alone waits while a transaction runs, so the batches of the process's other
 * plants gather behind it and go together. Bench, eight plants over two processes: 0.25
 * commits per order before, ≈ 0.17 now. One at a time gathered more (≈ 0.14) but left the CPU
 * idle during the round trips and lost throughput; two at a time with a plant alone starting
 * at once gathered ≈ 2 plants per transaction (≈ 0.22), no measurable gain.
 */
const IN_FLIGHT = 2;
/** Plants per group transaction: bounds how long one transaction holds the locks it took. */
const MAX_GROUP_PLANTS = 16;
/** A plant found locked this often goes through the per-plant path, which waits for its lock (no starvation). */
const MAX_SKIPS = 2;
/**
 * Per-plant transactions outside the loop's count at once (a plant skipped twice, a batch that
 * waited LOCK_WAIT_MS for the loop, a plant alone whose lock wait gave the loop's turn back).
 * Each holds a pooled connection while it waits for its lock, behind another process's batch
 * or a simulation (seconds): unbounded, plants locked elsewhere could take every connection of
 * the pool (10 by default), and the loop's transactions and the reads, which take a connection
 * first, would wait for the pool behind lock waits. With the loop's two, at most six of the
 * pool's connections wait for locks. A plant skipped twice waits for a place in
 * first-come-first-served order, not in the loop's queue: there SKIP LOCKED could pass it over
 * for ever, here a place frees whenever a lock waited for is granted, and goes to the oldest
 * first. The others keep what they had (a ready batch stays ready for the loop's next
 * transaction, a plant alone keeps the loop's turn) until there is room.
 */
const MAX_ASIDE = 4;
/**
 * How long a plant alone may wait for its lock (held by the other process's batch of the
 * plant, or a simulation: up to seconds) before the loop stops waiting for it and commits the
 * other plants' batches meanwhile, and how long a ready batch waits for the loop's running
 * transactions before it goes on its own: a busy plant must not hold up the process's other plants.
 */
const LOCK_WAIT_MS = 20;

/**
 * The process's commit loop (cross-plant group commit). With 32 clients over 8 plants a
 * plant's batch holds 2–4 writes, so what every transaction costs (BEGIN, COMMIT and its
 * fsync, the pool, the per-transaction work of the service and of PostgreSQL) was shared by
 * few writes; here the batches of all the plants that are ready when the loop's transaction
 * can start go in one. A plant alone (the one-plant case, or a plant a group skipped twice)
 * keeps the per-plant path: its own transaction, waiting for its lock.
 */
export class CommitLoop<J> {
  private readonly ready: PendingBatch<J>[] = [];
  private inFlight = 0;
  private pumpScheduled = false;
  /** Per-plant transactions running outside the loop's count (MAX_ASIDE at most). */
  private aside = 0;
  /** Plants skipped twice waiting for a place aside, oldest first. */
  private readonly waitingAside: PendingBatch<J>[] = [];

  constructor(private readonly committer: GroupCommitter<J>) {}

  /** Resolves once the batch is settled (committed, refused or failed). */
  commit(plantId: string, batch: J[], later: J[]): Promise<void> {
    return new Promise((done) => this.enqueue({ plantId, batch, later, done, skips: 0 }));
  }

  /**
   * Ready for the next transaction: a batch waits for the loop's transactions so that others
   * may join it, but a transaction may be slow (a capacity change rebuilding a large plant, a
   * cold build, a lock held elsewhere): after LOCK_WAIT_MS it goes on its own, outside the
   * loop's count, as a plant skipped twice does, if there is room (MAX_ASIDE); with no room it
   * takes the loop's free turn alone, if one is free (its plant's lock may well be free: only
   * the places aside are full), else it waits for whichever frees first. So also a skipped
   * batch put back in the queue.
   */
  private enqueue(p: PendingBatch<J>) {
    p.due = false;
    this.ready.push(p);
    this.schedulePump();
    const waited = () => {
      const at = this.ready.indexOf(p);
      if (at < 0) return;
      if (this.aside < MAX_ASIDE) {
        this.ready.splice(at, 1);
        return this.goAside(p);
      }
      p.due = true;
      this.schedulePump();
      setTimeout(waited, LOCK_WAIT_MS);
    };
    setTimeout(waited, LOCK_WAIT_MS);
  }

  /** The per-plant path outside the loop's count, or a place in line for it (MAX_ASIDE). */
  private goAside(p: PendingBatch<J>) {
    if (this.aside >= MAX_ASIDE) return void this.waitingAside.push(p);
    this.aside++;
    void this.committer
      .single(p, () => {})
      .finally(() => {
        p.done();
        this.asideDone();
      });
  }

  /** A place aside freed: the oldest plant waiting for one takes it. */
  private asideDone() {
    this.aside--;
    const next = this.waitingAside.shift();
    if (next) this.goAside(next);
  }

  /** Batches that become ready in the same turn of the event loop go in the same transaction. */
  private schedulePump() {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    queueMicrotask(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  private pump() {
    // A plant alone waits while a transaction runs: others join it meanwhile (one transaction
    // for several plants); it goes alone if nothing else runs, or after LOCK_WAIT_MS (enqueue).
    while (
      this.inFlight < IN_FLIGHT &&
      (this.ready.length > 1 || (this.ready.length === 1 && (this.inFlight === 0 || this.ready[0]!.due)))
    ) {
      const group = this.ready.splice(0, MAX_GROUP_PLANTS);
      this.inFlight++;
      let freed = false;
      const free = () => {
        if (freed) return;
        freed = true;
        this.inFlight--;
        this.pump();
      };
      void (group.length === 1 ? this.alone(group[0]!, free) : this.together(group)).finally(free);
    }
  }

  private async together(group: PendingBatch<J>[]) {
    const { skipped, alone } = await this.committer.group(group);
    const back = new Set([...skipped, ...alone]);
    for (const p of group) if (!back.has(p)) p.done();
    // Side by side (one plant's slow rerun must not hold back another's answer), within MAX_ASIDE.
    for (const p of alone) this.goAside(p);
    for (const p of skipped) {
      // Out of the loop's turn: its lock may be held for long (another process's batch, a simulation).
      if (++p.skips >= MAX_SKIPS) this.goAside(p);
      else this.enqueue(p);
    }
  }

  /**
   * The per-plant path in the loop's turn; if the lock takes longer than LOCK_WAIT_MS, it
   * gives the turn back (`free`) and goes on aside, once there is room (MAX_ASIDE).
   */
  private async alone(p: PendingBatch<J>, free: () => void) {
    let aside = false;
    const waited = () => {
      if (this.aside >= MAX_ASIDE) return void (waiting = setTimeout(waited, LOCK_WAIT_MS));
      this.aside++;
      aside = true;
      free();
    };
    let waiting = setTimeout(waited, LOCK_WAIT_MS);
    try {
      await this.committer.single(p, () => clearTimeout(waiting));
    } finally {
      clearTimeout(waiting);
      p.done();
      if (aside) this.asideDone();
    }
  }
}
