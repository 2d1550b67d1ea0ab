import type { OrderOperationRow } from '../../db/repos/order-operations.ts';
import type { DrumRow } from '../../db/repos/orders.ts';
import {
  buildWorkingTime,
  IN_PROGRESS_RANK,
  RouteBook,
  type RouteStep,
  type StoredRouteOrder,
  type WorkingTime,
} from '../../engine/index.ts';
import type { Operation } from '../products.ts';
import type { PlantConfig } from './plant-config.ts';

export { IN_PROGRESS_RANK };

export const toMinute = (d: Date) => Math.floor(d.getTime() / 60_000);
export const fromMinute = (m: number) => new Date(m * 60_000);

/**
 * Release lookahead Δ (design note §5.1): 0 until the tick of §8.2 moves overdue releases
 * forward; a write plans from its own minute, so every new release is at or after now.
 */
const RELEASE_LOOKAHEAD = { lookahead: 0 };

/** The working time of every resource of the plant, on its effective calendar (capacity changes included). */
export function workingTimesOf(config: PlantConfig): Map<string, WorkingTime> {
  const wts = new Map<string, WorkingTime>();
  for (const [id, r] of config.resources) wts.set(id, buildWorkingTime(r.calendar));
  return wts;
}

/**
 * The operations an order of `quantity` is promised on, in routing order: one step per
 * non-drum operation, the drum's consecutive operations as one step of the drum load (the
 * same rounding as the drum load stored on the order). Each step rounds up to whole
 * minutes: rounding up never promises capacity a resource does not have.
 */
export function routeSteps(routing: readonly Operation[], drumId: string, quantity: number, drumLoad: number): RouteStep[] {
  const steps: RouteStep[] = [];
  for (const op of routing) {
    if (op.resource === drumId) {
      if (steps.at(-1)?.resource !== drumId) steps.push({ resource: drumId, minutes: drumLoad });
      continue;
    }
    steps.push({ resource: op.resource, minutes: Math.ceil(op.setupMinutes + quantity * op.runMinutesPerUnit - 1e-9) });
  }
  return steps;
}

/** Drum operations that are not one consecutive block cannot be planned as one drum op (design note §9). */
export function drumOpsConsecutive(routing: readonly Operation[], drumId: string): boolean {
  const first = routing.findIndex((op) => op.resource === drumId);
  if (first < 0) return false;
  let k = first;
  while (k < routing.length && routing[k]!.resource === drumId) k++;
  return routing.slice(k).every((op) => op.resource !== drumId);
}

type StoredOps = StoredRouteOrder['ops'];

/**
 * Values many open orders share, kept once: an op without a stored interval (every drum op,
 * and a legacy op) is the same (position, resource, minutes) for every order of a quantity,
 * an order without a snapshot has the same one-op list, and promise dates repeat (a few per
 * working day). At 100k open orders that is over 10 MB of heap. Shared values are frozen:
 * the engine copies an op list before it changes one (RouteBook's settle).
 */
const SHARED_CAP = 20_000;
const sharedOps = new Map<string, StoredOps[number]>();
const sharedLists = new Map<string, StoredOps>();
const sharedDates = new Map<string, string>();

function shared<V>(cache: Map<string, V>, key: string, make: () => V): V {
  let v = cache.get(key);
  if (v === undefined) {
    v = make();
    if (cache.size < SHARED_CAP) cache.set(key, v);
  }
  return v;
}

function unplannedOp(position: number, resource: string, minutes: number): StoredOps[number] {
  return shared(sharedOps, `${position} ${minutes} ${resource}`, () =>
    Object.freeze({ position, resource, minutes, start: null, end: null }),
  );
}

/** The snapshot of an order promised before whole-route planning: its drum op alone. */
const legacyOps = (drumId: string, minutes: number): StoredOps =>
  shared(sharedLists, `${minutes} ${drumId}`, () => Object.freeze([unplannedOp(0, drumId, minutes)]));

const sharedDate = (d: string): string => shared(sharedDates, d, () => d);

/** An order as the engine keeps it, from its stored row and its operation snapshot. */
export function toStoredRoute(row: DrumRow, ops: StoredOps, drumId: string): StoredRouteOrder {
  const load = row.drum_load_minutes - row.drum_done_minutes;
  return {
    id: row.id,
    // Orders promised before whole-route planning have no snapshot: the drum op alone.
    ops: ops.length > 0 ? ops : legacyOps(drumId, row.drum_load_minutes),
    drumLoad: load,
    drumDeadline: toMinute(row.drum_deadline),
    ...(row.effective_deadline ? { effectiveDeadline: toMinute(row.effective_deadline) } : {}),
    ready: row.ready_at ? toMinute(row.ready_at) : 0,
    key: Number(row.drum_key ?? 0),
    pinned: row.pinned || row.status === 'in_progress',
    ...(row.status === 'in_progress' ? { pinRank: IN_PROGRESS_RANK } : row.pin_rank !== null ? { pinRank: row.pin_rank } : {}),
    plannedRelease: row.planned_release_at ? toMinute(row.planned_release_at) : null,
    promiseDate: sharedDate(row.promise_date),
    shippingBufferDays: row.shipping_buffer_days,
    released: row.status === 'released' || row.status === 'in_progress',
    ...(row.at_risk
      ? {
          risk: {
            promiseDate: row.at_risk_promise_date ?? row.promise_date,
            projectedFinish: row.at_risk_projected_finish ? toMinute(row.at_risk_projected_finish) : null,
            reason: row.at_risk_reason ?? 'resource',
            resource: row.at_risk_resource,
          },
        }
      : {}),
  };
}

/**
 * The stored rows of an order's operation snapshot with its planned intervals. A reported
 * operation stores its planned minutes (remaining + done) and the report (migration 0016).
 */
export function operationRows(orderId: string, ops: StoredOps) {
  return ops.map((op) => {
    const p = op.progress;
    return {
      order_id: orderId,
      position: op.position,
      resource_id: op.resource,
      minutes: op.minutes + (p?.done ?? 0),
      start_at: op.start === null ? null : fromMinute(op.start),
      end_at: op.end === null ? null : fromMinute(op.end),
      done_minutes: p?.done ?? 0,
      started_at: p ? fromMinute(p.startedAt) : null,
      reported_at: p ? fromMinute(p.reportedAt) : null,
      completed_at: p?.completedAt == null ? null : fromMinute(p.completedAt),
    };
  });
}

export function opsOf(rows: readonly OrderOperationRow[]): Map<string, StoredOps> {
  const byOrder = new Map<string, StoredOps[number][]>();
  for (const r of rows) {
    let list = byOrder.get(r.order_id);
    if (!list) byOrder.set(r.order_id, (list = []));
    const remaining = r.minutes - r.done_minutes;
    if (r.reported_at)
      // The engine keeps what remains; the report rides along (an operation with a report has started).
      list.push({
        position: r.position,
        resource: r.resource_id,
        minutes: remaining,
        start: r.start_at ? toMinute(r.start_at) : null,
        end: r.end_at ? toMinute(r.end_at) : null,
        progress: {
          done: r.done_minutes,
          startedAt: toMinute(r.started_at ?? r.reported_at),
          reportedAt: toMinute(r.reported_at),
          completedAt: r.completed_at ? toMinute(r.completed_at) : null,
        },
      });
    else
      list.push(
        r.start_at || r.end_at
          ? {
              position: r.position,
              resource: r.resource_id,
              minutes: remaining,
              start: r.start_at ? toMinute(r.start_at) : null,
              end: r.end_at ? toMinute(r.end_at) : null,
            }
          : unplannedOp(r.position, r.resource_id, remaining),
      );
  }
  for (const list of byOrder.values()) list.sort((a, b) => a.position - b.position);
  return byOrder;
}

/** The route book of the plant's drum from its orders as stored (null without a drum). */
export function buildRouteBook(config: PlantConfig, orders: readonly StoredRouteOrder[]): RouteBook | null {
  if (!config.drum) return null;
  return new RouteBook(config.drum.id, workingTimesOf(config), orders, RELEASE_LOOKAHEAD);
}

/** A copy of the book without some orders (a read that must not see holds past their expiry). */
export function routeBookWithout(book: RouteBook, config: PlantConfig, gone: ReadonlySet<string>): RouteBook {
  return new RouteBook(
    book.drumId,
    workingTimesOf(config),
    book.orders().filter((o) => !gone.has(o.id)),
    RELEASE_LOOKAHEAD,
  );
}
