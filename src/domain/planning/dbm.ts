import { randomUUID } from 'node:crypto';
import type { DbOrTx } from '../../db/database.ts';
import { insertBufferChange, lastBufferChange } from '../../db/repos/buffer-changes.ts';
import { setPlantProductionBuffer } from '../../db/repos/buffer-policies.ts';
import { completionsWithPenetration } from '../../db/repos/planning-reports.ts';
import { updateProduct } from '../../db/repos/products.ts';
import { dbmScopes, dbmWindow, judgeBuffer, type BufferSuggestion } from '../../planning-rules/dbm.ts';
import { actorLabel, type Actor } from '../actor.ts';
import { conflict } from '../errors.ts';
import { leadTimeChanges, leadTimesUnder, storedLeadTimes, type LeadTimeChange } from '../lead-time.ts';
import { engineOf } from '../promising/evaluate.ts';
import { readStateHeld } from '../promising/read-state.ts';
import { fromMinute, toMinute, type PlantState } from '../schedule/plant-cache.ts';
import { type ScheduleDeps } from '../schedule/schedule-writer.ts';

/** The rope of orders promised after a change: released `to` working days before their promise (was `from`). */
interface RopeChange {
  from: number;
  to: number;
}

type SuggestionView = BufferSuggestion & { effectiveLeadTimeChanges: LeadTimeChange[]; ropeChange: RopeChange | null };

/**
 * The preview of a suggestion: the products whose effective lead time (max(LT, PB)) it would
 * move. A plant suggestion reaches the products without their own buffer; a product's, that one.
 */
function previewLeadTimes(state: PlantState, s: BufferSuggestion): LeadTimeChange[] {
  if (s.suggestedDays === null) return [];
  const policy = state.config.policy;
  const products = [...state.config.products.values()];
  const before = leadTimesUnder(policy, products);
  const after =
    s.sku === null
      ? leadTimesUnder({ ...policy, productionBufferDays: s.suggestedDays }, products)
      : leadTimesUnder(
          policy,
          products.map((p) => (p.sku === s.sku ? { ...p, productionBufferDays: s.suggestedDays } : p)),
        );
  return leadTimeChanges(before, after);
}

/** The DBM judgement of every scope (rules in planning-rules/dbm.ts) from the plant's completions. */
async function suggestionsFor(db: DbOrTx, state: PlantState, nowMinute: number): Promise<SuggestionView[]> {
  const { wt } = engineOf(state);
  const plantId = state.config.plantId;
  const today = wt.localDateOf(nowMinute);
  const out: SuggestionView[] = [];
  for (const scope of dbmScopes(state.config.policy, state.config.products.values())) {
    const last = await lastBufferChange(db, plantId, scope.sku);
    const w = dbmWindow(wt, today, scope.pb, last ? toMinute(last.at) : null);
    const rows =
      w.cooling || (scope.skus && scope.skus.length === 0)
        ? []
        : await completionsWithPenetration(db, plantId, fromMinute(wt.startOfLocalDate(w.from)), fromMinute(nowMinute), scope.skus);
    const completions = rows.map((r) => ({
      penetration: r.penetration_at_completion!,
      completedOn: wt.localDateOf(toMinute(r.completed_at!)),
      productionBufferDays: r.production_buffer_days,
      committedAt: toMinute(r.created_at),
    }));
    const judged = judgeBuffer(scope, w, completions);
    // The rope and the lead-time floor move together, for orders promised after the change.
    const ropeChange = judged.suggestedDays === null ? null : { from: judged.currentDays, to: judged.suggestedDays };
    out.push({ ...judged, effectiveLeadTimeChanges: previewLeadTimes(state, judged), ropeChange });
  }
  return out;
}

export async function bufferSuggestions(deps: ScheduleDeps, plantId: string) {
  const now = deps.clock.now();
  return readStateHeld(
    deps,
    plantId,
    async (state, db) => ({
      plant: plantId,
      scheduleVersion: state.version,
      computedAt: now.toISOString(),
      items: await suggestionsFor(db, state, toMinute(now)),
    }),
    now,
    // The suggestions read the configuration and the completed orders' rows, never the plan.
    { timePassed: false },
  );
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
    const leadTimesBefore = await storedLeadTimes(ctx.tx, plantId);
    if (sku === null) {
      await setPlantProductionBuffer(ctx.tx, plantId, input.productionBufferDays, ctx.now);
    } else {
      await updateProduct(ctx.tx, plantId, sku, { production_buffer_days: input.productionBufferDays, updated_at: ctx.now });
    }
    const reason = input.reason ?? s.reason;
    await insertBufferChange(ctx.tx, {
      plant_id: plantId,
      id: randomUUID(),
      sku,
      from_days: s.currentDays,
      to_days: input.productionBufferDays,
      reason,
      actor: actorLabel(actor),
      at: ctx.now,
    });
    await ctx.changeCapacityRules();
    const data = {
      sku,
      from: s.currentDays,
      to: input.productionBufferDays,
      direction: s.direction,
      reason,
      evidence: { completed: s.completed, zones: s.zones, window: s.window },
      ropeChange: s.ropeChange,
      // A grown buffer raises the lead time of the products it reaches (max(LT, PB)).
      effectiveLeadTimeChanges: leadTimeChanges(leadTimesBefore, await storedLeadTimes(ctx.tx, plantId)),
    };
    ctx.emit({ type: 'buffer.changed', data });
    return data;
  });
  return { ...result, scheduleVersion: version };
}
