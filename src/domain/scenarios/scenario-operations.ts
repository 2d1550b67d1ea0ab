import type { Actor } from '../actor.ts';
import { DomainError } from '../errors.ts';
import { createCapacityChange } from '../planning/capacity-changes.ts';
import type { RepromiseRequest } from '../planning/capacity-plan.ts';
import { createRangedCapacityChange, revokeAnyCapacityChange, type RangedChangeInput } from '../planning/ranged-capacity-changes.ts';
import { repromiseOrder } from '../planning/repromise.ts';
import { resolveDemand, type DemandLimits } from '../promising/evaluate.ts';
import { reserve } from '../promising/reserve.ts';
import { ScheduleWriter, type ScheduleDeps, type WriteOutcome } from '../schedule/schedule-writer.ts';
import type { WriteContext } from '../schedule/write-context.ts';

type CapacityKind = 'overtime' | 'extra_shift' | 'downtime' | 'holiday';

/** A capacity change as POST …/capacity-changes takes it (one day, a weekly range or blocks). */
export interface CapacityChangeBody {
  resource: string;
  kind: CapacityKind;
  date?: string | undefined;
  start?: string | undefined;
  end?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  weekdays?: number[] | undefined;
  except?: string[] | undefined;
  blocks?: { date: string; start?: string | undefined; end?: string | undefined }[] | undefined;
  reason: string;
  repromises?: RepromiseRequest[] | undefined;
}

/** One step of a what-if scenario (issue 15 item 6). */
export type ScenarioOperation =
  | { type: 'capacity-change'; change: CapacityChangeBody }
  | { type: 'revoke-capacity-change'; id: string; reason?: string | undefined }
  | { type: 'repromise'; orderId: string; promiseDate: string; reason: string }
  | { type: 'hypothetical-order'; sku: string; quantity: number; requestedDate?: string | undefined };

/** Every local date an operation carries, with its field (the planning horizon applies to them as to the live requests). */
export function operationDates(ops: readonly ScenarioOperation[]): [string, string | undefined][] {
  return ops.flatMap((op, i): [string, string | undefined][] => {
    const at = `body.operations[${i}]`;
    switch (op.type) {
      case 'capacity-change': {
        const c = op.change;
        return [
          [`${at}.change.date`, c.date],
          [`${at}.change.from`, c.from],
          [`${at}.change.to`, c.to],
          ...(c.blocks ?? []).map((b, j): [string, string] => [`${at}.change.blocks[${j}].date`, b.date]),
          ...(c.repromises ?? []).map((r, j): [string, string] => [`${at}.change.repromises[${j}].promiseDate`, r.promiseDate]),
        ];
      }
      case 'repromise':
        return [[`${at}.promiseDate`, op.promiseDate]];
      case 'hypothetical-order':
        return [[`${at}.requestedDate`, op.requestedDate]];
      default:
        return [];
    }
  });
}

/** What an applied operation did, in the scenario's terms. */
export type OperationEffect = Record<string, unknown>;

/**
 * A write path whose every write is one step of something larger: a simulation's write (its
 * own savepoint) or, in a promotion, the promotion's one write. The use cases of the live
 * API run unchanged on it (they call deps.writer.write), so a scenario applies exactly what
 * the live request would, under the same rules.
 */
class StepWriter extends ScheduleWriter {
  constructor(
    deps: ScheduleDeps,
    private readonly step: (actor: Actor | null, fn: (ctx: WriteContext) => Promise<unknown>) => Promise<WriteOutcome<unknown>>,
  ) {
    super(deps);
  }

  override write<T>(_plantId: string, actor: Actor | null, fn: (ctx: WriteContext) => Promise<T>): Promise<WriteOutcome<T>> {
    return this.step(actor, fn) as Promise<WriteOutcome<T>>;
  }
}

/** Deps for the live use cases whose writes go to `step`, reading through `db` (the step's transaction). */
export function stepDeps(
  base: Omit<ScheduleDeps, 'writer'>,
  step: (actor: Actor | null, fn: (ctx: WriteContext) => Promise<unknown>) => Promise<WriteOutcome<unknown>>,
): ScheduleDeps {
  const deps = { ...base, feed: undefined };
  return { ...deps, writer: new StepWriter({ ...deps, writer: undefined as never }, step) };
}

/** The body of a ranged capacity change (a weekly range or blocks) as its use case takes it. */
export function rangedInput(change: CapacityChangeBody): RangedChangeInput {
  const { date: _date, from, to, weekdays, except, blocks, ...rest } = change;
  return from !== undefined && to !== undefined
    ? { ...rest, range: { from, to, weekdays, except, start: rest.start, end: rest.end } }
    : { ...rest, blocks };
}

/**
 * Applies one operation through the live use case. A hypothetical order is placed at its
 * requested date when the schedule can keep it, else at its earliest: never an event, never
 * a quote record, never the hold caps (it is no hold), and only ever inside a simulation.
 */
export async function applyOperation(
  deps: ScheduleDeps,
  limits: DemandLimits,
  plantId: string,
  actor: Actor,
  op: ScenarioOperation,
): Promise<OperationEffect> {
  switch (op.type) {
    case 'capacity-change': {
      const { date, from: _from, to: _to, weekdays: _w, except: _x, blocks: _b, ...rest } = op.change;
      if (date !== undefined) {
        const r = await createCapacityChange(deps, plantId, actor, { ...rest, date });
        return { changeId: r.change.id, minutesDelta: r.minutesDelta, movedCount: r.movedCount, repromised: r.repromised };
      }
      const r = await createRangedCapacityChange(deps, plantId, actor, rangedInput(op.change));
      return { changeId: r.change.id, minutesDelta: r.minutesDelta, movedCount: r.movedCount, repromised: r.repromised };
    }
    case 'revoke-capacity-change': {
      const r = await revokeAnyCapacityChange(deps, plantId, actor, op.id, { reason: op.reason });
      return { changeId: op.id, minutesDelta: r.minutesDelta, movedCount: r.movedCount, repromised: r.repromised };
    }
    case 'repromise': {
      const r = await repromiseOrder(deps, plantId, actor, op.orderId, { promiseDate: op.promiseDate, reason: op.reason });
      return { orderId: r.id, promiseDate: r.promiseDate };
    }
    case 'hypothetical-order': {
      const place = (date: string | undefined) =>
        deps.writer.write(plantId, actor, async (ctx) => {
          const d = resolveDemand(ctx.state, { sku: op.sku, quantity: op.quantity }, limits);
          const row = await reserve(ctx, d, { promiseDate: date, status: 'confirmed', customer: null });
          return { orderId: row.id, promiseDate: row.promise_date };
        });
      if (op.requestedDate !== undefined) {
        try {
          return { ...(await place(op.requestedDate)).result, requestedDateKept: true };
        } catch (e) {
          if (!(e instanceof DomainError) || e.kind !== 'schedule-infeasible') throw e;
        }
      }
      return { ...(await place(undefined)).result, requestedDateKept: op.requestedDate === undefined ? null : false };
    }
  }
}
