import type { DbOrTx } from '../db/database.ts';
import {
  deleteOperations,
  findProduct,
  insertOperations,
  insertProduct,
  listOperations,
  listProductRows,
  updateProduct,
} from '../db/repos/products.ts';
import { resourceIds } from '../db/repos/resources.ts';
import { invalid, notFound } from './errors.ts';
import type { Actor } from './actor.ts';
import { recordAudit } from './audit.ts';
import {
  leadTimeChanges,
  plantLeadTimeRule,
  productLeadTimeDays,
  storedLeadTimes,
  type LeadTimeChange,
  type PlantLeadTimeRule,
} from './lead-time.ts';
import { getPlant } from './plants.ts';
import type { ConfigWriteDeps } from './schedule/config-write.ts';

export interface Operation {
  resource: string;
  setupMinutes: number;
  runMinutesPerUnit: number;
}

export interface ProductInput {
  name: string;
  routing: Operation[];
  productionBufferDays?: number | undefined;
  shippingBufferDays?: number | undefined;
  /** Working days; omitted: the plant's. Never below the product's production buffer. */
  standardLeadTimeDays?: number | undefined;
}

export interface ProductView {
  sku: string;
  name: string;
  routing: Operation[];
  productionBufferDays: number | null;
  shippingBufferDays: number | null;
  standardLeadTimeDays: number | null;
  /** max(own lead time or the plant's, own production buffer or the plant's): the floor of its quotes. */
  effectiveLeadTimeDays: number;
  updatedAt: string;
}

export async function putProduct(
  deps: ConfigWriteDeps,
  actor: Actor | null,
  plantId: string,
  sku: string,
  input: ProductInput,
): Promise<{ created: boolean; product: ProductView; effectiveLeadTimeChanges: LeadTimeChange[] }> {
  // Routings are load rules: the write goes through the schedule writer, which rebuilds the engine state on them.
  const { result } = await deps.writer.write(plantId, actor, async (ctx) => {
    const { tx } = ctx;
    await getPlant(tx, plantId);
    const known = new Set(await resourceIds(tx, plantId));
    const unknown = input.routing
      .map((op, i) => ({ op, i }))
      .filter(({ op }) => !known.has(op.resource))
      .map(({ op, i }) => ({ field: `body.routing[${i}].resource`, message: `Unknown resource "${op.resource}" in plant "${plantId}"` }));
    if (unknown.length) throw invalid(unknown, 'The routing names resources this plant does not have.');
    const plant = await plantLeadTimeRule(tx, plantId);
    const pb = input.productionBufferDays ?? plant.productionBufferDays;
    if (input.standardLeadTimeDays !== undefined && input.standardLeadTimeDays < pb) {
      // A lead time shorter than the buffer would release orders before they are promised: born penetrated.
      throw invalid(
        [
          {
            field: 'body.standardLeadTimeDays',
            message: `The standard lead time (${input.standardLeadTimeDays} working days) is shorter than the product's production buffer (${pb}${input.productionBufferDays === undefined ? ", the plant's" : ''})`,
          },
        ],
        "A product's standard lead time may not be shorter than its production buffer.",
      );
    }

    const before = await storedLeadTimes(tx, plantId);
    const existing = await findProduct(tx, plantId, sku);
    const values = {
      name: input.name,
      production_buffer_days: input.productionBufferDays ?? null,
      shipping_buffer_days: input.shippingBufferDays ?? null,
      standard_lead_time_days: input.standardLeadTimeDays ?? null,
      updated_at: new Date(),
    };
    if (existing) {
      await updateProduct(tx, plantId, sku, values);
      await deleteOperations(tx, plantId, sku);
    } else {
      await insertProduct(tx, { plant_id: plantId, sku, ...values });
    }
    await insertOperations(
      tx,
      input.routing.map((op, i) => ({
        plant_id: plantId,
        sku,
        position: i + 1,
        resource_id: op.resource,
        setup_minutes: op.setupMinutes,
        run_minutes_per_unit: op.runMinutesPerUnit,
      })),
    );
    await recordAudit(tx, actor, 'product.changed', { plantId, id: sku }, { created: !existing, after: input }, ctx.now);
    await ctx.changeCapacityRules();
    return {
      created: !existing,
      product: await getProduct(tx, plantId, sku),
      effectiveLeadTimeChanges: leadTimeChanges(before, await storedLeadTimes(tx, plantId)),
    };
  });
  return result;
}

/** `policy`: the plant's, when the caller has read it already (the config loader reads it once). */
export async function listProducts(db: DbOrTx, plantId: string, policy?: PlantLeadTimeRule): Promise<ProductView[]> {
  await getPlant(db, plantId);
  const plant = policy ?? (await plantLeadTimeRule(db, plantId));
  const products = await listProductRows(db, plantId);
  const ops = await listOperations(db, plantId);
  const bySku = new Map<string, typeof ops>();
  for (const op of ops) bySku.set(op.sku, [...(bySku.get(op.sku) ?? []), op]);
  return products.map((p) => toView(plant, p, bySku.get(p.sku) ?? []));
}

export async function getProduct(db: DbOrTx, plantId: string, sku: string): Promise<ProductView> {
  const p = await findProduct(db, plantId, sku);
  if (!p) throw notFound(`Product "${sku}" in plant "${plantId}"`);
  const ops = await listOperations(db, plantId, sku);
  return toView(await plantLeadTimeRule(db, plantId), p, ops);
}

function toView(
  plant: PlantLeadTimeRule,
  p: {
    sku: string;
    name: string;
    production_buffer_days: number | null;
    shipping_buffer_days: number | null;
    standard_lead_time_days: number | null;
    updated_at: Date;
  },
  ops: { resource_id: string; setup_minutes: number; run_minutes_per_unit: number }[],
): ProductView {
  return {
    sku: p.sku,
    name: p.name,
    routing: ops.map((o) => ({ resource: o.resource_id, setupMinutes: o.setup_minutes, runMinutesPerUnit: o.run_minutes_per_unit })),
    productionBufferDays: p.production_buffer_days,
    shippingBufferDays: p.shipping_buffer_days,
    standardLeadTimeDays: p.standard_lead_time_days,
    effectiveLeadTimeDays: productLeadTimeDays(plant, {
      productionBufferDays: p.production_buffer_days,
      standardLeadTimeDays: p.standard_lead_time_days,
    }),
    updatedAt: p.updated_at.toISOString(),
  };
}
