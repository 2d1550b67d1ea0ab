import { drumDeadlineFor, leadTimeFloorDate, type BufferPolicy } from '../buffer-days.ts';
import type { ChainOp, LedgerSet } from '../ledger-set.ts';
import type { RouteDrum } from '../route-drum/route-drum.ts';
import type { LocalDate, Minute, WorkingTime } from '../working-time.ts';
import type { RoutePrice, RouteQuote } from './route-types.ts';

/** What the price needs from the book. */
export interface PriceContext {
  drum: RouteDrum;
  drumWt: WorkingTime;
  ledgers: LedgerSet;
  drumId: string;
}

/**
 * §5.4, the price of a requested date R below the quote (R ≥ the lead-time floor, else
 * null: capacity cannot help). S_R from R; D_R = backward(down, S_R) (S_R without
 * downstream ops). When the drum can reach D_R from the quote's ready time, the drum is
 * priced at q_R (after the last order with D̂ < D_R): X = max(0, G − c(D_R), G − LS_{q_R+1})
 * extra drum minutes before D_R. Otherwise (or when X = 0) a non-drum op binds: the first
 * op, from the end, of the backward placement that finds no room; its price is the
 * shortfall of the largest free stretch inside that op's window (a single block there:
 * sufficient when added adjacent to that stretch, not always minimal).
 */
export function priceOfDateOn(
  ctx: PriceContext,
  now: Minute,
  quote: RouteQuote,
  t0: Minute,
  up: readonly ChainOp[],
  down: readonly ChainOp[],
  load: number,
  policy: BufferPolicy,
  date: LocalDate,
): RoutePrice | null {
  const { drum, drumWt, ledgers, drumId } = ctx;
  if (date < leadTimeFloorDate(drumWt, now, policy.standardLeadTimeDays)) return null;
  const shipBy = drumDeadlineFor(drumWt, date, policy.shippingBufferDays);
  let deadline: Minute = shipBy;
  if (down.length > 0) {
    const back = ledgers.backward(down, shipBy, t0);
    if (!back) {
      const unhindered = Math.max(quote.ready, drumWt.instantAtCumulative(drumWt.cumulative(quote.ready) + load));
      return nonDrum(ledgers, down, shipBy, earliestStarts(ledgers, down, unhindered, shipBy));
    }
    deadline = back.start;
  }
  const cD = drumWt.cumulative(deadline);
  const cReady = drumWt.cumulative(quote.ready);
  const q = drum.pricePosition(deadline);
  const st = drum.positionState(now, load, quote.ready, q);
  const x = Math.max(0, st.finishCumulative - cD, st.finishCumulative - st.latestStartAfter);
  // x would start at G − p at q_R: every term of X counts capacity after that instant
  // (base, a predecessor's ready time and ρ_x all come before it), so X minutes added
  // in [start, D_R) are sufficient.
  const drumPrice: RoutePrice = {
    bindingResource: drumId,
    minutes: Math.max(1, x),
    neededAfter: Math.max(now, quote.ready, drumWt.instantAtCumulative(st.finishCumulative - load)),
    neededBy: deadline,
  };
  if (deadline >= quote.ready && cReady + load <= cD) {
    if (x > 0) return drumPrice;
  } else if (up.length > 0) {
    // The order is not ready early enough: an upstream resource binds; it must be ready by ρ_R.
    const lsCum = Math.min(cD, st.latestStartAfter) - load;
    const readyBy = lsCum < drumWt.cumulative(t0) ? t0 : Math.min(deadline, drumWt.instantAtCumulative(lsCum + 1) - 1);
    const upstream = nonDrum(ledgers, up, readyBy, earliestStarts(ledgers, up, t0, readyBy));
    if (upstream) return upstream;
  }
  // Without upstream ops the drum itself must make up for the order's own work.
  return drumPrice;
}

/** The earliest start of each op of a chain: the forward placement from t (op k after op k − 1's end); `by` once the chain finds no room. */
function earliestStarts(ledgers: LedgerSet, ops: readonly ChainOp[], t: Minute, by: Minute): Minute[] {
  const out: Minute[] = [t];
  for (let k = 1; k < ops.length; k++) {
    const placed = ledgers.forward(ops.slice(0, k), t, Math.max(t, by));
    out.push(placed ? Math.min(placed.end, by) : by);
  }
  return out;
}

/**
 * The failing op of the backward placement of `ops` ending by `by` (op k starting at or
 * after earliest[k]), priced by its shortfall; null when the placement succeeds.
 */
function nonDrum(ledgers: LedgerSet, ops: readonly ChainOp[], by: Minute, earliest: readonly Minute[]): RoutePrice | null {
  let at = by;
  for (let k = ops.length - 1; k >= 0; k--) {
    const op = ops[k]!;
    const notBefore = Math.min(earliest[k]!, at);
    const ledger = ledgers.get(op.resource);
    const fit = ledger.lastFit(at, op.minutes, notBefore);
    if (fit) {
      at = fit.start;
      continue;
    }
    // The largest free stretch g inside [notBefore, at) (binary search on its length):
    // op.minutes − g more working minutes added in that stretch's wall-clock span (or in the
    // reservation just before it, which then shrinks: starts are kept, §3.2) make room.
    const wt = ledger.wt;
    const lo = wt.cumulative(notBefore);
    const hi = wt.cumulative(at);
    let a = 0;
    let b = Math.min(op.minutes - 1, Math.max(0, hi - lo));
    while (a < b) {
      const mid = Math.ceil((a + b) / 2);
      if (ledger.lastFitCumulative(hi, mid, lo) !== null) a = mid;
      else b = mid - 1;
    }
    if (a === 0) return { bindingResource: op.resource, minutes: op.minutes, neededAfter: notBefore, neededBy: at };
    const x = ledger.lastFitCumulative(hi, a, lo)!;
    return {
      bindingResource: op.resource,
      minutes: op.minutes - a,
      neededAfter: Math.max(notBefore, wt.instantAtCumulative(x)),
      neededBy: Math.min(at, wt.instantAtCumulative(x + a + 1) - 1),
    };
  }
  return null;
}
