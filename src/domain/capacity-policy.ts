import type { DbOrTx } from '../db/database.ts';
import { findCapacityPolicy } from '../db/repos/capacity-policies.ts';
import { DEFAULT_CAPACITY_CURRENCY, DEFAULT_RESOURCE_CAPACITY_POLICY, type ResourceCapacityPolicy } from '../engine/index.ts';

/** What a plant allows and pays for extra capacity (issue 15 item 1). */
export interface CapacityPolicy {
  currency: string;
  defaults: ResourceCapacityPolicy;
  resources: Record<string, ResourceCapacityPolicy>;
}

export interface CapacityPolicyView extends CapacityPolicy {
  /** 0 while the plant has no stored policy (the defaults apply). */
  revision: number;
  updatedAt: string | null;
  updatedBy: string | null;
}

const DEFAULT_POLICY: CapacityPolicy = { currency: DEFAULT_CAPACITY_CURRENCY, defaults: DEFAULT_RESOURCE_CAPACITY_POLICY, resources: {} };

/** The policy of one resource: its own, else the plant's defaults. */
export const resourcePolicy = (p: CapacityPolicy, resource: string): ResourceCapacityPolicy => p.resources[resource] ?? p.defaults;

export async function readCapacityPolicy(db: DbOrTx, plantId: string): Promise<CapacityPolicyView> {
  const r = await findCapacityPolicy(db, plantId);
  if (!r) return { ...DEFAULT_POLICY, revision: 0, updatedAt: null, updatedBy: null };
  return {
    currency: r.currency,
    defaults: r.defaults,
    resources: r.resources,
    revision: r.revision,
    updatedAt: r.updated_at.toISOString(),
    updatedBy: r.updated_by,
  };
}

/** The plant's configuration reads it with the rest of the capacity rules (plant-config.ts). */
export async function loadCapacityPolicy(db: DbOrTx, plantId: string): Promise<CapacityPolicy> {
  const { currency, defaults, resources } = await readCapacityPolicy(db, plantId);
  return { currency, defaults, resources };
}
