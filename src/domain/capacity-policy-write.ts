import type { DbOrTx } from '../db/database.ts';
import { upsertCapacityPolicy } from '../db/repos/capacity-policies.ts';
import { findPlant } from '../db/repos/plants.ts';
import { listResourceRows } from '../db/repos/resources.ts';
import { actorLabel, type Actor } from './actor.ts';
import { readCapacityPolicy, type CapacityPolicy, type CapacityPolicyView } from './capacity-policy.ts';
import { invalid, notFound, preconditionFailed } from './errors.ts';
import type { ScheduleDeps } from './schedule/schedule-writer.ts';

export async function getCapacityPolicy(db: DbOrTx, plantId: string): Promise<CapacityPolicyView> {
  if (!(await findPlant(db, plantId))) throw notFound(`Plant "${plantId}"`);
  return readCapacityPolicy(db, plantId);
}

/**
 * Replaces the policy through the write path: the configuration version moves (the policy
 * shapes the proposals every refused quote carries) and a `capacity-policy.changed` event is
 * appended. It changes no capacity itself, so no order moves.
 */
export async function putCapacityPolicy(deps: ScheduleDeps, actor: Actor, plantId: string, input: CapacityPolicy, ifMatch?: number) {
  const { result } = await deps.writer.write(plantId, actor, async (ctx) => {
    const current = await readCapacityPolicy(ctx.tx, plantId);
    if (ifMatch !== undefined && ifMatch !== current.revision) {
      throw preconditionFailed(`The capacity policy changed (revision ${current.revision}); reload it and retry.`, {
        currentRevision: current.revision,
      });
    }
    const known = new Set((await listResourceRows(ctx.tx, plantId)).map((r) => r.id));
    const unknown = Object.keys(input.resources).filter((id) => !known.has(id));
    if (unknown.length > 0) {
      throw invalid(unknown.map((id) => ({ field: `body.resources.${id}`, message: `Unknown resource "${id}" in plant "${plantId}"` })));
    }
    const revision = current.revision + 1;
    await upsertCapacityPolicy(ctx.tx, {
      plant_id: plantId,
      currency: input.currency,
      defaults: JSON.stringify(input.defaults),
      resources: JSON.stringify(input.resources),
      revision,
      updated_by: actorLabel(actor),
      updated_at: ctx.now,
    });
    await ctx.changeCapacityRules();
    ctx.emit({ type: 'capacity-policy.changed', data: { ...input, revision } });
    return { ...input, revision, updatedAt: ctx.now.toISOString(), updatedBy: actorLabel(actor) };
  });
  return result;
}
