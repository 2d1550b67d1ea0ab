import { Ledger, type CumulativeSpan, type Fit } from './ledger.ts';
import type { LedgerOverlay } from './ledger-overlay.ts';
import type { Minute } from './working-time.ts';

/** One operation of a chain to place: its resource, its identity and its minutes. */
export interface ChainOp {
  resource: string;
  order: string;
  position: number;
  minutes: number;
}

/** Where a chain placement puts one operation. */
export interface Placement extends Fit {
  resource: string;
  order: string;
  position: number;
}

/** A chain placed in routing order: from the first op's start to the last op's end. */
export interface ChainPlacement {
  start: Minute;
  end: Minute;
  placements: Placement[];
}

/** A checkpoint over every ledger of a set. */
export type LedgerSetCheckpoint = ReadonlyMap<string, number>;

/**
 * The non-drum ledgers of a plant by resource id, with chain placement (§3.2) and one
 * checkpoint over all of them for the write path's group commit.
 */
export class LedgerSet {
  private readonly ledgers = new Map<string, Ledger>();
  /** Read-only views searched instead of their resources' ledgers (overlaid): forward only. */
  private readonly views = new Map<string, LedgerOverlay>();

  constructor(ledgers: Iterable<readonly [string, Ledger]> = []) {
    for (const [resource, ledger] of ledgers) this.ledgers.set(resource, ledger);
  }

  add(resource: string, ledger: Ledger): void {
    if (this.ledgers.has(resource)) throw new RangeError(`resource ${resource} already has a ledger`);
    this.ledgers.set(resource, ledger);
  }

  get(resource: string): Ledger {
    const ledger = this.ledgers.get(resource);
    if (!ledger) throw new RangeError(`resource ${resource} has no ledger`);
    return ledger;
  }

  /**
   * This set with `resource` searched through `view` (a ledger with added capacity): shares
   * every ledger, answers forward() only, and books nothing.
   */
  overlaid(resource: string, view: LedgerOverlay): LedgerSet {
    const set = new LedgerSet(this.ledgers);
    set.views.set(resource, view);
    return set;
  }

  resources(): string[] {
    return [...this.ledgers.keys()];
  }

  /**
   * Places `ops` in routing order, each by firstFit at the previous op's end (the first
   * at t), every op ending by `horizon`; the chain's own placements count as booked (a
   * routing may visit a resource twice). Books nothing: pass the placements to book().
   * null when some op finds no room within the horizon.
   * (F1) the end is non-decreasing in t.
   */
  forward(ops: readonly ChainOp[], t: Minute, horizon: Minute): ChainPlacement | null {
    const placements: Placement[] = [];
    let at = t;
    for (const op of ops) {
      const ledger = this.views.get(op.resource) ?? this.get(op.resource);
      const fit = ledger.firstFit(at, op.minutes, horizon, this.own(placements, op.resource));
      if (fit === null) return null;
      placements.push({ resource: op.resource, order: op.order, position: op.position, ...fit });
      at = fit.end;
    }
    return { start: placements.length > 0 ? placements[0]!.start : t, end: at, placements };
  }

  /**
   * The mirror: places `ops` from the last to the first, each by lastFit ending at the
   * next op's start (the last by t), every op starting at or after `notBefore`.
   * (F2) when backward(ops, T) starts at s, forward(ops, t) ends by T for every t <= s.
   */
  backward(ops: readonly ChainOp[], t: Minute, notBefore: Minute): ChainPlacement | null {
    this.writable();
    const placements: Placement[] = [];
    let at = t;
    for (let k = ops.length - 1; k >= 0; k--) {
      const op = ops[k]!;
      const ledger = this.get(op.resource);
      const fit = ledger.lastFit(at, op.minutes, notBefore, this.own(placements, op.resource));
      if (fit === null) return null;
      placements.push({ resource: op.resource, order: op.order, position: op.position, ...fit });
      at = fit.start;
    }
    placements.reverse();
    return { start: at, end: placements.length > 0 ? placements[placements.length - 1]!.end : t, placements };
  }

  private own(placements: readonly Placement[], resource: string): CumulativeSpan[] | undefined {
    let spans: CumulativeSpan[] | undefined;
    for (const p of placements) if (p.resource === resource) (spans ??= []).push([p.a, p.a + p.minutes]);
    return spans;
  }

  /** Books placements (e.g. a chain placement) on their ledgers. */
  book(placements: readonly Placement[]): void {
    this.writable();
    for (const p of placements) this.get(p.resource).insert({ order: p.order, position: p.position, a: p.a, minutes: p.minutes });
  }

  private writable(): void {
    if (this.views.size > 0) throw new RangeError('an overlaid ledger set answers forward() only');
  }

  checkpoint(): LedgerSetCheckpoint {
    const cp = new Map<string, number>();
    for (const [resource, ledger] of this.ledgers) cp.set(resource, ledger.checkpoint());
    return cp;
  }

  rollback(cp: LedgerSetCheckpoint): void {
    for (const [resource, token] of cp) this.get(resource).rollback(token);
  }

  commit(cp: LedgerSetCheckpoint): void {
    for (const [resource, token] of cp) this.get(resource).commit(token);
  }
}
