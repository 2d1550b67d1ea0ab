import type { DbOrTx } from '../db/database.ts';
import { insertAudit, listAuditRows } from '../db/repos/audit-log.ts';
import { actorLabel, type Actor } from './actor.ts';

export const AUDIT_ACTIONS = [
  'api-key.created',
  'api-key.revoked',
  'plant.created',
  'resource.changed',
  'product.changed',
  'buffer-policy.changed',
  'webhook.created',
  'webhook.changed',
  'webhook.deleted',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/**
 * Appends an audit record in the caller's transaction, so the change and its record commit
 * together. `actor` null: the operator's CLI (keys, demo), recorded as "cli".
 */
export async function recordAudit(
  db: DbOrTx,
  actor: Actor | null,
  action: AuditAction,
  target: { plantId: string | null; id: string },
  data: Record<string, unknown>,
  at: Date,
): Promise<void> {
  await insertAudit(db, { at, actor: actor ? actorLabel(actor) : 'cli', action, plant_id: target.plantId, target: target.id, data });
}

/** Audit records an admin may read: every one for an unrestricted admin, else those of its plants. */
export async function listAudit(db: DbOrTx, reader: Actor, opts: { limit: number; before?: number | undefined }) {
  const rows = await listAuditRows(db, reader.plantIds, opts.limit, opts.before);
  return {
    items: rows.map((r) => ({
      id: r.id,
      at: r.at.toISOString(),
      actor: r.actor,
      action: r.action as AuditAction,
      plant: r.plant_id,
      target: r.target,
      data: r.data,
    })),
    nextBefore: rows.length === opts.limit ? rows.at(-1)!.id : null,
  };
}
