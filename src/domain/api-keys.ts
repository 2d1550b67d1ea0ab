import { hash, randomBytes } from 'node:crypto';
import type { Db, DbOrTx } from '../db/database.ts';
import { findApiKeyPlants, insertApiKey, listApiKeyRows, revokeApiKeyRow } from '../db/repos/api-keys.ts';
import type { Actor, Role } from './actor.ts';
import { recordAudit } from './audit.ts';
import { forbidden } from './errors.ts';
import { keyRevokedMessage } from './schedule/change-feed.ts';

export interface NewApiKey {
  name: string;
  role: Role;
  plantIds: string[] | null;
  /** The person or system the key belongs to; omitted: a principal of its own (the key's id). */
  principal?: string | undefined;
}

// Keys carry 256 bits of randomness, so a plain SHA-256 is a sufficient one-way hash:
// a slow KDF protects low-entropy passwords, not random tokens, and would cost every request.
// One-shot `hash` (hex): about a third of createHash().update().digest()'s cost, same digest.
export const hashKey = (key: string) => hash('sha256', key);

export async function createApiKey(db: DbOrTx, input: NewApiKey) {
  const id = `key_${randomBytes(6).toString('hex')}`;
  const key = `drb_${randomBytes(32).toString('base64url')}`;
  const row = await insertApiKey(db, {
    id,
    name: input.name,
    role: input.role,
    principal: input.principal ?? id,
    plant_ids: input.plantIds,
    key_hash: hashKey(key),
  });
  return { id: row.id, name: row.name, role: row.role, principal: row.principal, plantIds: row.plant_ids, createdAt: row.created_at, key };
}

export async function listApiKeys(db: Db) {
  const rows = await listApiKeyRows(db);
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    role: r.role,
    principal: r.principal,
    plantIds: r.plant_ids,
    createdAt: r.created_at,
    revokedAt: r.revoked_at,
  }));
}

/**
 * Key administration is scoped like every other right: an admin limited to some plants
 * manages only keys limited to a non-empty subset of those plants. Otherwise a key for
 * one plant could mint an unrestricted key, or revoke a global admin's, and so escape
 * its scope. Unrestricted admins manage every key.
 */
function mayManageKey(manager: Actor, keyPlantIds: readonly string[] | null): boolean {
  if (manager.plantIds === null) return true;
  const own = manager.plantIds;
  return keyPlantIds !== null && keyPlantIds.length > 0 && keyPlantIds.every((p) => own.includes(p));
}

/** createApiKey on behalf of an admin key: 403 when the new key would reach beyond the creator's plants. */
export async function createApiKeyAs(db: Db, manager: Actor, input: NewApiKey) {
  if (!mayManageKey(manager, input.plantIds)) {
    throw forbidden(
      input.plantIds === null
        ? 'This API key is limited to plants; it can only create keys limited to some of its own plants (send "plants").'
        : `This API key may only create keys for its own plants (${(manager.plantIds ?? []).join(', ')}).`,
    );
  }
  return db.transaction().execute(async (tx) => {
    const created = await createApiKey(tx, input);
    await auditKey(
      tx,
      manager,
      'api-key.created',
      created.id,
      input.plantIds,
      { name: input.name, role: input.role, principal: created.principal, plants: input.plantIds },
      created.createdAt,
    );
    return created;
  });
}

/** One record per plant a key is limited to, so each plant's admins see it; unrestricted: one record. */
async function auditKey(
  db: DbOrTx,
  actor: Actor | null,
  action: 'api-key.created' | 'api-key.revoked',
  keyId: string,
  plants: readonly string[] | null,
  data: Record<string, unknown>,
  at: Date,
) {
  for (const plantId of plants ?? [null]) await recordAudit(db, actor, action, { plantId, id: keyId }, data, at);
}

/** The keys an admin may manage: all of them for an unrestricted admin. */
export async function listApiKeysFor(db: Db, manager: Actor) {
  return (await listApiKeys(db)).filter((k) => mayManageKey(manager, k.plantIds));
}

/**
 * Revokes a key the manager may manage. A key outside its scope answers like a missing
 * one (false, hence 404), so a plant-limited admin cannot probe for other keys.
 */
export async function revokeApiKeyAs(db: Db, manager: Actor, id: string, at: Date): Promise<boolean> {
  const row = await findApiKeyPlants(db, id);
  if (!row || !mayManageKey(manager, row.plant_ids)) return false;
  return revokeApiKey(db, id, at, manager);
}

/**
 * Revokes a key and announces it on the change feed in the same statement (delivered at commit),
 * so every process drops the key from its cache as soon as the commit reaches it.
 */
export async function revokeApiKey(db: Db, id: string, at: Date, actor: Actor | null = null): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    const key = await revokeApiKeyRow(tx, id, at, keyRevokedMessage(id));
    if (!key) return false;
    await auditKey(tx, actor, 'api-key.revoked', id, key.plant_ids, { name: key.name, role: key.role }, at);
    return true;
  });
}
