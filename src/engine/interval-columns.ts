/**
 * Three parallel Float64 columns (interval start, end, cumulative capacity at start) with
 * spare room at both ends, so a working time can grow forward and backward a chunk at a
 * time with amortised O(1) copying per interval: a reallocation copies the n live rows
 * and leaves at least n free rows on the side that ran out, so the sizes at which one
 * side reallocates at least double and all copies sum to under 4× the final row count.
 * (Growing by a full copy per chunk was quadratic: a drum load that ran to year 9999
 * copied ~8,000 years of intervals once per year.)
 */
export class IntervalColumns {
  S = new Float64Array(0);
  E = new Float64Array(0);
  P = new Float64Array(0);
  /** Index of the first live row; rows [first, first + n) are live. */
  first = 0;
  n = 0;
  /** Rows copied by reallocations so far and reallocations made: what tests bound. */
  copiedRows = 0;
  allocations = 0;

  /** Makes room for k more rows after the last; they go at first + n. */
  reserveBack(k: number): void {
    if (this.first + this.n + k <= this.S.length) return;
    this.reallocate(this.first, Math.max(this.n + k, MIN_SPARE));
  }

  /** Makes room for k more rows before the first; they go at first - k. */
  reserveFront(k: number): void {
    if (k <= this.first) return;
    this.reallocate(Math.max(this.n + k, MIN_SPARE), this.S.length - this.first - this.n);
  }

  private reallocate(front: number, back: number): void {
    const size = front + this.n + back;
    const from = this.first;
    const to = from + this.n;
    const S = new Float64Array(size);
    const E = new Float64Array(size);
    const P = new Float64Array(size);
    S.set(this.S.subarray(from, to), front);
    E.set(this.E.subarray(from, to), front);
    P.set(this.P.subarray(from, to), front);
    this.S = S;
    this.E = E;
    this.P = P;
    this.first = front;
    this.copiedRows += this.n;
    this.allocations++;
  }
}

const MIN_SPARE = 64;
