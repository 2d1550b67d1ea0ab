import { randomFillSync } from 'node:crypto';
import type { Actor } from '../actor.ts';
import { actorLabel } from '../actor.ts';
import type { QuoteRecorder } from '../quote-recorder.ts';
import { toMinute } from '../schedule/plant-cache.ts';
import type { ScheduleDeps } from '../schedule/schedule-writer.ts';
import { assertNotPast, evaluate, proposalsFor, resolveDemand } from './evaluate.ts';
import { readState, readStateNow } from './read-state.ts';
import { withFrozenWindow } from '../schedule/frozen-window.ts';
import { withTimePassed } from '../schedule/release-tick.ts';

export interface PromisingDeps extends ScheduleDeps {
  quotes: QuoteRecorder;
  maxOrderQuantity: number;
  /** Engine searches look for capacity this many days ahead, no further. */
  planningHorizonDays: number;
  /** Sees the engine time of each quote, in seconds (metrics). */
  observeQuote?: ((seconds: number) => void) | undefined;
}

export interface QuoteInput {
  sku: string;
  quantity: number;
  requestedDate?: string | undefined;
  materialAvailableDate?: string | undefined;
  customer?: string | undefined;
}

/**
 * A quote is a read: it never writes to the schedule (an expired hold is ignored, not
 * expired) and reads the plant's configuration at most once, only when it changed. It is
 * recorded (off the request path) for the promise KPIs.
 */
export async function quote(deps: PromisingDeps, plantId: string, actor: Actor, input: QuoteInput) {
  const now = deps.clock.now();
  // The cached state without a wait when it is fresh (readStateNow), as readState would give it.
  const state = readStateNow(deps, plantId, now) ?? (await readState(deps, plantId, now));
  const nowMinute = toMinute(now);
  const demand = resolveDemand(state, input, deps);
  if (input.requestedDate) assertNotPast(state, input.requestedDate, nowMinute, 'body.requestedDate');
  const started = deps.observeQuote ? performance.now() : 0;
  // As the next write would decide it: time passing first, then the frozen window (both applied by every write).
  const e = withTimePassed(state, nowMinute, () =>
    withFrozenWindow(state, nowMinute, () => evaluate(state, demand, nowMinute, input.requestedDate)),
  );
  deps.observeQuote?.((performance.now() - started) / 1000);
  const quoteId = timeOrderedId(now);
  deps.quotes.record({
    id: quoteId,
    plantId,
    at: now,
    actor: actorLabel(actor),
    sku: input.sku,
    quantity: input.quantity,
    requestedDate: input.requestedDate ?? null,
    earliestPromiseDate: e.earliestPromiseDate,
    requestedFeasible: e.requestedDateFeasible,
    drumLoadMinutes: demand.load,
    scheduleVersion: state.version,
    owner: actor.principal,
    customer: input.customer ?? null,
  });
  return {
    quoteId,
    earliestPromiseDate: e.earliestPromiseDate,
    requestedDate: e.requestedDate,
    requestedDateFeasible: e.requestedDateFeasible,
    ...(e.capacityNeeded ? { capacityNeeded: e.capacityNeeded } : {}),
    ...(e.proposals ? { proposals: proposalsFor(actor, e.proposals) } : {}),
    bindingLimit: e.bindingLimit,
    bindingResource: e.bindingResource,
    drumLoadMinutes: demand.load,
    scheduleVersion: state.version,
  };
}

/**
 * A UUIDv7 (RFC 9562): the quote's time in its first 48 bits, random bits after, so an id sorts
 * by time wherever it is stored (holds and orders keep the id of the quote they came from).
 * quote_log's key is (plant_id, at, id): its time column, not the id, keeps that index growing
 * at the right edge. The 74 random bits (rand_a 12, rand_b 62) come from the CSPRNG, drawn 4 KiB
 * at a time (as randomUUID does with its own cache), and are written through a table of hex
 * pairs: a third of the CPU of formatting a whole randomUUID and keeping its tail.
 */
export function timeOrderedId(at: Date): string {
  const ms = at.getTime();
  // Quotes come several to a millisecond under load: the time part is formatted once per millisecond.
  if (ms !== lastMs) {
    const hex = ms.toString(16).padStart(12, '0');
    lastMs = ms;
    lastPrefix = `${hex.slice(0, 8)}-${hex.slice(8)}-7`;
  }
  if (poolAt + ID_RANDOM_BYTES > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  const b = pool;
  const i = poolAt;
  poolAt += ID_RANDOM_BYTES;
  return (
    lastPrefix +
    HEX_DIGIT[b[i]! & 0x0f]! +
    HEX_PAIR[b[i + 1]!]! +
    '-' +
    // The variant: 10 in the top bits of rand_b's first byte.
    HEX_PAIR[(b[i + 2]! & 0x3f) | 0x80]! +
    HEX_PAIR[b[i + 3]!]! +
    '-' +
    HEX_PAIR[b[i + 4]!]! +
    HEX_PAIR[b[i + 5]!]! +
    HEX_PAIR[b[i + 6]!]! +
    HEX_PAIR[b[i + 7]!]! +
    HEX_PAIR[b[i + 8]!]! +
    HEX_PAIR[b[i + 9]!]!
  );
}

let lastMs = NaN;
let lastPrefix = '';
/** Random bytes an id takes: rand_a's 12 bits from the low half of the first, rand_b's 62 from the next 8 (the variant over 2 bits). */
const ID_RANDOM_BYTES = 10;
const pool = new Uint8Array(4096);
let poolAt = pool.length;
const HEX_PAIR = Array.from({ length: 256 }, (_, k) => k.toString(16).padStart(2, '0'));
const HEX_DIGIT = Array.from({ length: 16 }, (_, k) => k.toString(16));
