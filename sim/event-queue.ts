/**
 * The future event list: a binary min-heap on (time, insertion order). Ties are broken
 * by insertion order so that a run is fully deterministic for a seed — a heap alone
 * would pop equal-time events in an order that depends on its internal layout.
 */
export interface Scheduled<E> {
  time: number;
  seq: number;
  event: E;
}

export class EventQueue<E> {
  private heap: Scheduled<E>[] = [];
  private counter = 0;

  get size(): number {
    return this.heap.length;
  }

  push(time: number, event: E): void {
    if (!Number.isFinite(time)) throw new Error(`event time must be finite, got ${time}`);
    const node = { time, seq: this.counter++, event };
    const h = this.heap;
    h.push(node);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(node, h[parent]!)) break;
      h[i] = h[parent]!;
      i = parent;
    }
    h[i] = node;
  }

  pop(): Scheduled<E> | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (top === undefined || last === undefined || h.length === 0) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= h.length) break;
      const r = l + 1;
      const child = r < h.length && before(h[r]!, h[l]!) ? r : l;
      if (!before(h[child]!, last)) break;
      h[i] = h[child]!;
      i = child;
    }
    h[i] = last;
    return top;
  }
}

function before<E>(x: Scheduled<E>, y: Scheduled<E>): boolean {
  return x.time < y.time || (x.time === y.time && x.seq < y.seq);
}
