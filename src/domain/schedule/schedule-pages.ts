import { z } from 'zod';
import { ordersByIds } from '../../db/repos/orders.ts';
import { penetration, type RoutePlan, type SequenceKey } from '../../engine/index.ts';
import { invalid } from '../errors.ts';
import { engineOf } from '../promising/evaluate.ts';
import type { PromisingDeps } from '../promising/quotes.ts';
import { readState } from '../promising/read-state.ts';
import { atRiskView } from '../promising/order-view.ts';
import { fromMinute, toMinute } from './plant-cache.ts';
import { ropeOf } from './rope.ts';
import { withTimePassed } from './release-tick.ts';

const iso = (m: number) => (Number.isFinite(m) ? fromMinute(m).toISOString() : null);

export interface SchedulePageRequest {
  limit: number;
  /** Opaque: the nextCursor of the previous page; absent for the first page. */
  cursor?: string | undefined;
}

/**
 * One page of the drum schedule as planners and ERPs read it: engine timing joined with
 * order details. The cursor is the drum-sequence key of the last order served, so the next
 * page starts right after it in O(log n) (a walk of the engine's tree) and reads only its
 * own rows from the database: a page costs O(log n + limit), not O(n). A cursor stays
 * usable across schedule versions: the next page starts after that key in the current
 * sequence (each page says the version it was computed from).
 *
 * `notModified(version)` lets the caller answer 304 before any page is computed (body null).
 */
export async function schedulePage(
  deps: PromisingDeps,
  plantId: string,
  page: SchedulePageRequest,
  notModified: (scheduleVersion: number) => boolean = () => false,
) {
  const after = page.cursor === undefined ? undefined : decodeCursor(page.cursor);
  const state = await readState(deps, plantId);
  if (notModified(state.version)) return { scheduleVersion: state.version, body: null };
  const { book, wt, route } = engineOf(state);
  const now = deps.clock.now();
  const nowMinute = toMinute(now);
  const planned = book.schedulePage(nowMinute, state.config.policy.productionBufferDays, after, page.limit);
  // The rope and the projected finish come from the route plan (design note whole-route.md
  // §7): one RouteBook.planOf per order of the page, O(log n + route length) each from the
  // drum tree's prefix aggregates, all under one time-passing overlay, so the page keeps its
  // O(log n + limit) bound.
  const plans = new Map<string, RoutePlan>();
  if (planned.orders.length > 0)
    withTimePassed(state, nowMinute, () => {
      for (const s of planned.orders) {
        const p = route.planOf(nowMinute, s.id);
        if (p) plans.set(s.id, p);
      }
    });
  const feasible = book.feasible(nowMinute);
  // The page's rows are read after the engine state; a row the engine has but the read
  // misses (cancelled in between) is left out, as the whole-schedule export did.
  const rows = new Map(
    (
      await ordersByIds(
        deps.db,
        plantId,
        planned.orders.map((s) => s.id),
      )
    ).map((r) => [r.id, r]),
  );
  const orders = planned.orders.flatMap((s) => {
    const r = rows.get(s.id);
    if (!r) return [];
    const plan = plans.get(s.id);
    const rope = plan ? ropeOf(plan, route.drumId, () => s.release) : undefined;
    const release = rope?.plannedRelease ?? s.release;
    const status = penetration(wt, { id: r.id, promiseDate: r.promise_date, productionBufferDays: r.production_buffer_days }, nowMinute);
    return [
      {
        id: s.id,
        sku: r.sku,
        quantity: r.quantity,
        customer: r.customer,
        status: r.status,
        promiseDate: r.promise_date,
        drumLoadMinutes: s.load,
        plannedStart: fromMinute(s.start).toISOString(),
        plannedFinish: fromMinute(s.finish).toISOString(),
        plannedRelease: iso(release),
        releaseDate: Number.isFinite(release) ? wt.localDateOf(release) : s.releaseDate,
        projectedFinish: rope ? iso(rope.projectedFinish) : iso(s.finish),
        drumDeadline: fromMinute(s.deadline).toISOString(),
        slackMinutes: s.slack,
        bufferZone: status.zone,
        bufferPenetration: status.percent,
        late: s.late,
        atRisk: atRiskView(r),
      },
    ];
  });
  return {
    scheduleVersion: state.version,
    body: {
      plant: plantId,
      scheduleVersion: state.version,
      computedAt: now.toISOString(),
      timeZone: state.config.timeZone,
      feasible,
      orders,
      nextCursor: planned.next ? encodeCursor(planned.next) : null,
    },
  };
}

// [pinned, pinRank, deadline, seq, id]: a position in drum sequence, nothing secret.
const CursorKey = z.tuple([
  z.union([z.literal(0), z.literal(1)]),
  z.number().int().nullable(),
  z.number().int(),
  z.number(),
  z.string().min(1),
]);

function encodeCursor(key: SequenceKey): string {
  return Buffer.from(JSON.stringify([key.pinned ? 1 : 0, key.pinRank ?? null, key.deadline, key.seq, key.id])).toString('base64url');
}

function decodeCursor(cursor: string): SequenceKey {
  const parsed = CursorKey.safeParse(parseJson(Buffer.from(cursor, 'base64url').toString('utf8')));
  if (!parsed.success) {
    throw invalid([{ field: 'querystring.cursor', message: 'Not a cursor this service issued: pass nextCursor from the previous page' }]);
  }
  const [pinned, pinRank, deadline, seq, id] = parsed.data;
  return { id, deadline, seq, pinned: pinned === 1, ...(pinRank !== null ? { pinRank } : {}) };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
