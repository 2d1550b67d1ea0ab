import { penetration, type BufferedOrder, type BufferPolicy, type Minute, type WorkingTime } from '../../src/engine/index.ts';
import { type Completion, dbmWindow, judgeBuffer, scopeOf } from '../../src/planning-rules/dbm.ts';

/** What the simulated planner keeps of a committed order: its buffer status inputs and when it was committed (engine minutes). */
export interface CommittedOrder extends BufferedOrder {
  committedAt: Minute;
}

/**
 * The simulated planner's buffer management: every shift the service's DBM rule
 * (src/planning-rules/dbm.ts) judges each product's production buffer from the penetration
 * its orders completed with, and every suggestion is applied at once. Each product has its
 * own buffer, so each is its own scope.
 */
export class BufferManager {
  private readonly buffers: Map<string, BufferPolicy>;
  private readonly lastChange = new Map<string, Minute>();
  private readonly completions = new Map<string, Completion[]>();

  constructor(
    private readonly wt: WorkingTime,
    initial: ReadonlyMap<string, BufferPolicy>,
    private readonly onChange?: (product: string, productionBufferDays: number) => void,
  ) {
    this.buffers = new Map(initial);
  }

  /** The product's buffers now (the plant's when it has none of its own). */
  of(product: string, plant: BufferPolicy): BufferPolicy {
    return this.buffers.get(product) ?? plant;
  }

  /** Records an order completed at `now` (engine minutes) with the buffer penetration it reached, for the next judgement. */
  orderCompleted(product: string, order: CommittedOrder, now: Minute): void {
    const p = penetration(this.wt, order, now);
    this.completed(product, {
      penetration: p.percent,
      completedOn: this.wt.localDateOf(now),
      productionBufferDays: order.productionBufferDays,
      committedAt: order.committedAt,
    });
  }

  private completed(product: string, c: Completion): void {
    const list = this.completions.get(product) ?? [];
    list.push(c);
    this.completions.set(product, list);
  }

  /** One judgement per product scope at `now` (engine minutes); returns true when a buffer changed. */
  judge(now: Minute): boolean {
    const today = this.wt.localDateOf(now);
    let changed = false;
    for (const [product, b] of this.buffers) {
      const scope = scopeOf(product, b.productionBufferDays, b.shippingBufferDays, [product]);
      const w = dbmWindow(this.wt, today, scope.pb, this.lastChange.get(product) ?? null);
      if (w.cooling) continue;
      const recent = (this.completions.get(product) ?? []).filter((c) => c.completedOn >= w.from);
      this.completions.set(product, recent);
      const s = judgeBuffer(scope, w, recent);
      if (s.suggestedDays === null || s.suggestedDays === b.productionBufferDays) continue;
      this.buffers.set(product, { ...b, productionBufferDays: s.suggestedDays });
      this.lastChange.set(product, now);
      this.onChange?.(product, s.suggestedDays);
      changed = true;
    }
    return changed;
  }
}
