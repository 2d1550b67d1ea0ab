import { randomUUID } from 'node:crypto';
import type { DbOrTx } from '../../db/database.ts';
import type { BufferZone, WorkingTime } from '../../engine/index.ts';
import { actorLabel, type Actor } from '../actor.ts';
import { conflict } from '../errors.ts';
import { engineOf } from '../promising/evaluate.ts';
import { readState } from '../promising/read-state.ts';
import { fromMinute, toMinute, type PlantState } from '../schedule/plant-cache.ts';
import { type ScheduleDeps } from '../schedule/schedule-writer.ts';
import { completionZone } from './kpis.ts';

/**
 * Dynamic buffer management from the penetration orders completed with. Thresholds:
 * S-DBR aims at about 90 % of orders finishing without entering red, so more than 10 % in
 * red or black suggests growing the buffer by ⅓; when at least 90 % finish green (and none
 * in red) over two replenishment periods, the buffer is fat: shrink it by ⅓. The
 * replenishment time of a make-to-order buffer is the buffer itself (PB working days);
 * after a change DBM waits one replenishment time (cooling) before judging again, and
 * only judges orders completed after the cooling ended.
 */
export const DBM = { minSample: 5, maxRedShare: 0.1, minGreenShare: 0.9 } as const;

export interface BufferSuggestion {
  sku: string | null;
  currentDays: number;
  suggestedDays: number | null;
  direction: 'grow' | 'shrink' | null;
  reason: string;
  window: { from: string; to: string };
  completed: number;
  zones: Record<BufferZone, number>;
  coolingUntil: string | null;
}

const third = (pb: number) => Math.max(1, Math.round(pb / 3));

async function suggestionsFor(db: DbOrTx, state: PlantState, nowMinute: number): Promise<BufferSuggestion[]> {
  const { wt } = engineOf(state);
  const plantId = state.config.plantId;
  // Scopes: the plant policy (products without their own buffer) and each product with one.
  const own = [...state.config.products.values()].filter((p) => p.productionBufferDays !== null);
  const scopes: { sku: string | null; pb: number; skus: string[] | null }[] = [
    {
      sku: null,
      pb: state.config.policy.productionBufferDays,
      skus: [...state.config.products.values()].filter((p) => p.productionBufferDays === null).map((p) => p.sku),
    },
    ...own.map((p) => ({ sku: p.sku, pb: p.productionBufferDays!, skus: [p.sku] })),
  ];
  const out: BufferSuggestion[] = [];
  for (const s of scopes) out.push(await judge(db, wt, plantId, nowMinute, s));
  return out;
}

async function judge(
  db: DbOrTx,
  wt: WorkingTime,
  plantId: string,
  nowMinute: number,
  s: { sku: string | null; pb: number; skus: string[] | null },
): Promise<BufferSuggestion> {
  const today = wt.localDateOf(nowMinute);
  let last = db.selectFrom('buffer_changes').select('at').where('plant_id', '=', plantId).orderBy('at', 'desc').limit(1);
  last = s.sku === null ? last.where('sku', 'is', null) : last.where('sku', '=', s.sku);
  const lastChange = await last.executeTakeFirst();
  const coolingUntil = lastChange ? wt.addWorkingDays(wt.localDateOf(toMinute(lastChange.at)), s.pb) : null;
  const twoPeriodsAgo = wt.addWorkingDays(today, -2 * s.pb);
  const halfway = wt.addWorkingDays(today, -s.pb);
  const from = coolingUntil && coolingUntil > twoPeriodsAgo ? coolingUntil : twoPeriodsAgo;
  const base = {
    sku: s.sku,
    currentDays: s.pb,
    window: { from, to: today },
    coolingUntil: coolingUntil && coolingUntil > today ? coolingUntil : null,
  };
  const zones: Record<BufferZone, number> = { green: 0, yellow: 0, red: 0, black: 0 };
  if (from > today)
    return {
      ...base,
      suggestedDays: null,
      direction: null,
      reason: `Cooling after the last change until ${coolingUntil}.`,
      completed: 0,
      zones,
    };

  const rows =
    s.skus && s.skus.length === 0
      ? []
      : await (() => {
          let q = db
            .selectFrom('orders')
            .select(['completed_at', 'penetration_at_completion'])
            .where('plant_id', '=', plantId)
            .where('completed_at', '>=', fromMinute(wt.startOfLocalDate(from)))
            .where('completed_at', '<=', fromMinute(nowMinute))
            .where('penetration_at_completion', 'is not', null);
          if (s.skus) q = q.where('sku', 'in', s.skus);
          return q.execute();
        })();
  let early = 0;
  for (const r of rows) {
    zones[completionZone(r.penetration_at_completion!)]++;
    if (wt.localDateOf(toMinute(r.completed_at!)) < halfway) early++;
  }
  const n = rows.length;
  const none = (reason: string) => ({ ...base, suggestedDays: null, direction: null, reason, completed: n, zones });
  if (n < DBM.minSample) return none(`Only ${n} order(s) completed since ${from}; at least ${DBM.minSample} are needed to judge.`);
  const red = zones.red + zones.black;
  if (red / n > DBM.maxRedShare) {
    return {
      ...base,
      suggestedDays: s.pb + third(s.pb),
      direction: 'grow',
      reason: `${red} of ${n} orders completed in red or black (target at most ${DBM.maxRedShare * 100} %): grow the buffer by ⅓.`,
      completed: n,
      zones,
    };
  }
  const wholeWindow = from === twoPeriodsAgo && early > 0 && early < n;
  if (wholeWindow && red === 0 && zones.green / n >= DBM.minGreenShare && s.pb > 1) {
    return {
      ...base,
      suggestedDays: s.pb - third(s.pb),
      direction: 'shrink',
      reason: `${zones.green} of ${n} orders completed in green over two replenishment periods: shrink the buffer by ⅓.`,
      completed: n,
      zones,
    };
  }
  return none('The buffer is about right.');
}

export async function bufferSuggestions(deps: ScheduleDeps, plantId: string) {
  const state = await readState(deps, plantId);
  const now = deps.clock.now();
  return {
    plant: plantId,
    scheduleVersion: state.version,
    computedAt: now.toISOString(),
    items: await suggestionsFor(deps.db, state, toMinute(now)),
  };
}

/**
 * A planner applies a suggestion that still stands: the buffer changes (orders already
 * promised keep theirs), caches rebuild, the version moves and `buffer.changed` says why.
 */
export async function applyBufferSuggestion(
  deps: ScheduleDeps,
  plantId: string,
  actor: Actor,
  input: { sku?: string | null | undefined; productionBufferDays: number; reason?: string | undefined },
) {
  const sku = input.sku ?? null;
  const { result, version } = await deps.writer.write(plantId, actor, async (ctx) => {
    const all = await suggestionsFor(ctx.tx, ctx.state, ctx.nowMinute);
    const s = all.find((x) => x.sku === sku);
    if (!s || s.suggestedDays !== input.productionBufferDays) {
      throw conflict(
        `No standing suggestion to set the ${sku ? `buffer of product "${sku}"` : 'plant buffer'} to ${input.productionBufferDays} days; read the current suggestions.`,
        { suggestions: all },
      );
    }
    if (sku === null) {
      await ctx.tx
        .updateTable('buffer_policies')
        .set((eb) => ({ production_buffer_days: input.productionBufferDays, revision: eb('revision', '+', 1), updated_at: ctx.now }))
        .where('plant_id', '=', plantId)
        .execute();
    } else {
      await ctx.tx
        .updateTable('products')
        .set({ production_buffer_days: input.productionBufferDays, updated_at: ctx.now })
        .where('plant_id', '=', plantId)
        .where('sku', '=', sku)
        .execute();
    }
    const reason = input.reason ?? s.reason;
    await ctx.tx
      .insertInto('buffer_changes')
      .values({
        plant_id: plantId,
        id: randomUUID(),
        sku,
        from_days: s.currentDays,
        to_days: input.productionBufferDays,
        reason,
        actor: actorLabel(actor),
        at: ctx.now,
      })
      .execute();
    await ctx.changeCapacityRules();
    const data = {
      sku,
      from: s.currentDays,
      to: input.productionBufferDays,
      direction: s.direction,
      reason,
      evidence: { completed: s.completed, zones: s.zones, window: s.window },
    };
    ctx.emit({ type: 'buffer.changed', data });
    return data;
  });
  return { ...result, scheduleVersion: version };
}
