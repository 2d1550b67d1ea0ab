import type { DbOrTx } from '../../db/database.ts';
import { activeCapacityChanges } from '../../db/repos/capacity-changes.ts';
import { effectiveCalendar } from '../../planning-rules/effective-calendar.ts';
import type { Calendar } from '../../engine/calendar-types.ts';
import { getBufferPolicy, type BufferPolicyView } from '../buffer-policy.ts';
import { conflict, notFound } from '../errors.ts';
import { listProducts, type Operation } from '../products.ts';

export interface ProductRule {
  sku: string;
  routing: Operation[];
  productionBufferDays: number | null;
  shippingBufferDays: number | null;
}

/** Everything about a plant that shapes capacity and load; cached per config_version. */
export interface PlantConfig {
  plantId: string;
  timeZone: string;
  configVersion: number;
  drum: { id: string; calendar: Calendar } | null;
  policy: BufferPolicyView;
  products: Map<string, ProductRule>;
}

export async function loadPlantConfig(db: DbOrTx, plantId: string): Promise<PlantConfig> {
  const plant = await db.selectFrom('plants').select(['id', 'time_zone', 'config_version']).where('id', '=', plantId).executeTakeFirst();
  if (!plant) throw notFound(`Plant "${plantId}"`);
  const drum = await db
    .selectFrom('resources')
    .select(['id', 'calendar'])
    .where('plant_id', '=', plantId)
    .where('is_drum', '=', true)
    .executeTakeFirst();
  // Planner capacity changes (overtime, downtime…) are exceptions on top of the drum's own calendar.
  const changes = drum ? await activeCapacityChanges(db, plantId, drum.id) : [];
  const rules = new Map<string, ProductRule>(
    (await listProducts(db, plantId)).map((p) => [
      p.sku,
      { sku: p.sku, routing: p.routing, productionBufferDays: p.productionBufferDays, shippingBufferDays: p.shippingBufferDays },
    ]),
  );
  return {
    plantId,
    timeZone: plant.time_zone,
    configVersion: plant.config_version,
    drum: drum
      ? {
          id: drum.id,
          calendar: effectiveCalendar(plant.time_zone, drum.calendar, changes),
        }
      : null,
    policy: await getBufferPolicy(db, plantId),
    products: rules,
  };
}

export function requireDrum(config: PlantConfig) {
  if (!config.drum)
    throw conflict(`Plant "${config.plantId}" has no drum resource yet; an admin must define one before orders can be promised.`);
  return config.drum;
}
