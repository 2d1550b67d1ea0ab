import type { DbOrTx } from '../db/database.ts';
import { findBufferPolicy } from '../db/repos/buffer-policies.ts';
import { listProductRows } from '../db/repos/products.ts';
import { effectiveLeadTimeDays } from '../engine/index.ts';
import { notFound } from './errors.ts';

/** What a product's lead time depends on: its own overrides (null: the plant's). */
export interface ProductLeadTimeRule {
  sku: string;
  productionBufferDays: number | null;
  standardLeadTimeDays: number | null;
}

export interface PlantLeadTimeRule {
  productionBufferDays: number;
  standardLeadTimeDays: number;
}

/** A product whose effective lead time a buffer or lead-time change moves (working days). */
export interface LeadTimeChange {
  sku: string;
  from: number;
  to: number;
}

/**
 * A product's effective standard lead time: max(its own lead time, else the plant's; its
 * own production buffer, else the plant's). Quotes are floored at it, so an order promised
 * at the floor is released no earlier than today (born green).
 */
export function productLeadTimeDays(plant: PlantLeadTimeRule, product: Omit<ProductLeadTimeRule, 'sku'>): number {
  return effectiveLeadTimeDays(
    product.standardLeadTimeDays ?? plant.standardLeadTimeDays,
    product.productionBufferDays ?? plant.productionBufferDays,
  );
}

/** Every product's effective lead time under a policy. */
export function leadTimesUnder(plant: PlantLeadTimeRule, products: Iterable<ProductLeadTimeRule>): Map<string, number> {
  return new Map([...products].map((p) => [p.sku, productLeadTimeDays(plant, p)]));
}

/** The products whose effective lead time differs between two states, by sku. */
export function leadTimeChanges(before: ReadonlyMap<string, number>, after: ReadonlyMap<string, number>): LeadTimeChange[] {
  const out: LeadTimeChange[] = [];
  for (const [sku, to] of after) {
    const from = before.get(sku);
    if (from !== undefined && from !== to) out.push({ sku, from, to });
  }
  return out.sort((a, b) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0));
}

/** The plant's policy as the lead-time rule needs it. */
export async function plantLeadTimeRule(db: DbOrTx, plantId: string): Promise<PlantLeadTimeRule> {
  const r = await findBufferPolicy(db, plantId);
  if (!r) throw notFound(`Plant "${plantId}"`);
  return { productionBufferDays: r.production_buffer_days, standardLeadTimeDays: r.standard_lead_time_days };
}

/** Every product's effective lead time as stored now (read inside a write: before and after it). */
export async function storedLeadTimes(db: DbOrTx, plantId: string): Promise<Map<string, number>> {
  const plant = await plantLeadTimeRule(db, plantId);
  const rows = await listProductRows(db, plantId);
  return leadTimesUnder(
    plant,
    rows.map((r) => ({ sku: r.sku, productionBufferDays: r.production_buffer_days, standardLeadTimeDays: r.standard_lead_time_days })),
  );
}
