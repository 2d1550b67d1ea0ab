/** `floor`: the shop floor (release, progress, complete, ship, and the boards that say what to do). */
export const ROLES = ['admin', 'planner', 'sales', 'erp', 'floor'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling: resolved from the API key on every request, recorded on every event. */
export interface Actor {
  keyId: string;
  name: string;
  role: Role;
  /** The person or system behind the key: what owns holds, orders and idempotency records (survives key rotation). */
  principal: string;
  /** null: every plant. */
  plantIds: string[] | null;
}

/** The name written into events and audit records: stable and readable. */
export const actorLabel = (a: Actor) => `${a.role}:${a.name} (${a.keyId})`;

/**
 * The one order-access rule: the principal whose orders alone this caller may see and act on
 * (sales: its own), or undefined when it may reach every order of its plants. List filters and
 * single-order checks both derive from it.
 */
export const ownerScope = (a: Actor): string | undefined => (a.role === 'sales' ? a.principal : undefined);

/** Sales act on their own holds and orders only; other roles on every order of their plants. */
export const mayTouchOrder = (a: Actor, order: { owner_principal: string | null }) => {
  const scope = ownerScope(a);
  return scope === undefined || order.owner_principal === scope;
};

export const mayAccessPlant = (a: Actor, plantId: string) => a.plantIds === null || a.plantIds.includes(plantId);
