const GONE = Symbol('gone');

/**
 * A Map that a capacity change can hand to a new book in O(1) while the old book stays
 * as it was: share() makes both sides read one base Map, and each side's writes go to a
 * private overlay instead. Copying a 100k-key Map costs tens of ms (hashing every key
 * again), so neither the rebuild nor the first write after it pays that; an overlay that
 * outgrows a quarter of its base is folded into a base of its own (amortised O(1) a write).
 * Unshared, it is the plain Map plus one null test. Values must not be undefined.
 */
export class CowMap<K, V> {
  private base: Map<K, V>;
  /** Non-null exactly while `base` is shared: then base is never written. */
  private over: Map<K, V | typeof GONE> | null = null;
  private count: number;

  constructor(entries?: Iterable<readonly [K, V]>) {
    this.base = new Map(entries);
    this.count = this.base.size;
  }

  get size(): number {
    return this.count;
  }

  get(k: K): V | undefined {
    if (this.over !== null) {
      const v = this.over.get(k);
      if (v !== undefined) return v === GONE ? undefined : v;
    }
    return this.base.get(k);
  }

  has(k: K): boolean {
    return this.get(k) !== undefined;
  }

  set(k: K, v: V): void {
    if (this.over === null) {
      this.base.set(k, v);
      this.count = this.base.size;
      return;
    }
    if (this.get(k) === undefined) this.count++;
    this.over.set(k, v);
    this.foldIfLarge();
  }

  delete(k: K): boolean {
    if (this.over === null) {
      const had = this.base.delete(k);
      this.count = this.base.size;
      return had;
    }
    if (this.get(k) === undefined) return false;
    this.over.set(k, GONE);
    this.count--;
    this.foldIfLarge();
    return true;
  }

  /** Deletes every entry whose value matches (a rare sweep: it takes a base of its own first). */
  deleteWhere(match: (v: V) => boolean): void {
    this.fold();
    for (const [k, v] of this.base) if (match(v)) this.base.delete(k);
    this.count = this.base.size;
  }

  /** A map with the same entries, independent from here on: O(size of this side's overlay). */
  share(): CowMap<K, V> {
    const copy = new CowMap<K, V>();
    copy.base = this.base;
    copy.count = this.count;
    copy.over = new Map(this.over ?? []);
    this.over ??= new Map();
    return copy;
  }

  private foldIfLarge(): void {
    if (this.over!.size > 1024 + (this.base.size >> 2)) this.fold();
  }

  private fold(): void {
    if (this.over === null) return;
    const m = new Map(this.base);
    for (const [k, v] of this.over) {
      if (v === GONE) m.delete(k);
      else m.set(k, v);
    }
    this.base = m;
    this.over = null;
    this.count = m.size;
  }
}
