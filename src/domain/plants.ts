import type { Db, DbOrTx } from '../db/database.ts';
import { insertBufferPolicy } from '../db/repos/buffer-policies.ts';
import { findPlant, insertPlantIfAbsent, listPlantRows } from '../db/repos/plants.ts';
import type { Actor } from './actor.ts';
import { recordAudit } from './audit.ts';
import { conflict, forbidden, notFound } from './errors.ts';

export interface PlantInput {
  id: string;
  name: string;
  timeZone: string;
}

const DEFAULT_POLICY = {
  productionBufferDays: 10,
  holdTtlSeconds: 900,
};

const toPlant = (r: { id: string; name: string; time_zone: string; schedule_version: number; created_at: Date }) => ({
  id: r.id,
  name: r.name,
  timeZone: r.time_zone,
  scheduleVersion: r.schedule_version,
  createdAt: r.created_at.toISOString(),
});

export async function createPlant(db: Db, input: PlantInput, actor: Actor | null = null) {
  return db.transaction().execute(async (tx) => {
    const row = await insertPlantIfAbsent(tx, { id: input.id, name: input.name, time_zone: input.timeZone });
    if (!row) throw conflict(`Plant "${input.id}" already exists.`);
    const pb = DEFAULT_POLICY.productionBufferDays;
    await insertBufferPolicy(tx, {
      plant_id: input.id,
      production_buffer_days: pb,
      shipping_buffer_days: Math.ceil(pb / 2),
      standard_lead_time_days: pb,
      hold_ttl_seconds: DEFAULT_POLICY.holdTtlSeconds,
    });
    await recordAudit(
      tx,
      actor,
      'plant.created',
      { plantId: input.id, id: input.id },
      { name: input.name, timeZone: input.timeZone },
      row.created_at,
    );
    return toPlant(row);
  });
}

/** A key limited to plants cannot create one: the new plant would lie outside its own scope. */
export async function createPlantAs(db: Db, actor: Actor, input: PlantInput) {
  if (actor.plantIds !== null) throw forbidden('Only an API key for all plants may create plants.');
  return createPlant(db, input, actor);
}

export async function listPlants(db: Db, visible: string[] | null) {
  return (await listPlantRows(db, visible)).map(toPlant);
}

export async function getPlant(db: DbOrTx, id: string) {
  const row = await findPlant(db, id);
  if (!row) throw notFound(`Plant "${id}"`);
  return toPlant(row);
}
