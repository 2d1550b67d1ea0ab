import type { DbOrTx } from '../../db/database.ts';
import { activeCapacityChanges, type CapacityChangeRow } from '../../db/repos/capacity-changes.ts';
import { findPlant } from '../../db/repos/plants.ts';
import { listResourceRows } from '../../db/repos/resources.ts';
import { effectiveCalendar } from '../../planning-rules/effective-calendar.ts';
import type { Calendar } from '../../engine/calendar-types.ts';
import { getBufferPolicy, type BufferPolicyView } from '../buffer-policy.ts';
import { loadCapacityPolicy, type CapacityPolicy } from '../capacity-policy.ts';
import { conflict, notFound } from '../errors.ts';
import { listProducts, type Operation } from '../products.ts';

export interface ProductRule {
  sku: string;
  routing: Operation[];
  productionBufferDays: number | null;
  shippingBufferDays: number | null;
  standardLeadTimeDays: number | null;
}

/** A resource as the engine plans it: its effective calendar (own calendar plus active capacity changes). */
export interface ResourceRule {
  id: string;
  isDrum: boolean;
  calendar: Calendar;
}

/** Everything about a plant that shapes capacity and load; cached per config_version. */
export interface PlantConfig {
  plantId: string;
  timeZone: string;
  configVersion: number;
  drum: { id: string; calendar: Calendar } | null;
  /** Every resource of the plant by id, the drum included (same calendar object as `drum`). */
  resources: Map<string, ResourceRule>;
  policy: BufferPolicyView;
  /** What extra capacity the proposals of a refused date may use, and its cost. */
  capacityPolicy: CapacityPolicy;
  products: Map<string, ProductRule>;
}

export async function loadPlantConfig(db: DbOrTx, plantId: string): Promise<PlantConfig> {
  const plant = await findPlant(db, plantId);
  if (!plant) throw notFound(`Plant "${plantId}"`);
  // All resources and all their active capacity changes in two queries. Planner capacity
  // changes (overtime, downtime…) are exceptions on top of each resource's own calendar.
  const rows = await listResourceRows(db, plantId);
  const changesOf = new Map<string, CapacityChangeRow[]>();
  for (const c of await activeCapacityChanges(db, plantId)) {
    const list = changesOf.get(c.resource_id);
    if (list) list.push(c);
    else changesOf.set(c.resource_id, [c]);
  }
  const resources = new Map<string, ResourceRule>(
    rows.map((r) => [
      r.id,
      { id: r.id, isDrum: r.is_drum, calendar: effectiveCalendar(plant.time_zone, r.calendar, changesOf.get(r.id) ?? []) },
    ]),
  );
  const drum = [...resources.values()].find((r) => r.isDrum);
  const policy = await getBufferPolicy(db, plantId);
  const rules = new Map<string, ProductRule>(
    (await listProducts(db, plantId, policy)).map((p) => [
      p.sku,
      {
        sku: p.sku,
        routing: p.routing,
        productionBufferDays: p.productionBufferDays,
        shippingBufferDays: p.shippingBufferDays,
        standardLeadTimeDays: p.standardLeadTimeDays,
      },
    ]),
  );
  return {
    plantId,
    timeZone: plant.time_zone,
    configVersion: plant.config_version,
    drum: drum ? { id: drum.id, calendar: drum.calendar } : null,
    resources,
    policy,
    capacityPolicy: await loadCapacityPolicy(db, plantId),
    products: rules,
  };
}

export function requireDrum(config: PlantConfig) {
  if (!config.drum)
    throw conflict(`Plant "${config.plantId}" has no drum resource yet; an admin must define one before orders can be promised.`);
  return config.drum;
}
