export const ROLES = ['admin', 'planner', 'sales', 'erp'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling: resolved from the API key on every request, recorded on every event. */
export interface Actor {
  keyId: string;
  name: string;
  role: Role;
  /** null: every plant. */
  plantIds: string[] | null;
}

/** The name written into events and audit records: stable and readable. */
export const actorLabel = (a: Actor) => `${a.role}:${a.name} (${a.keyId})`;

/** Sales act on their own holds and orders only; other roles on every order of their plants. */
export const mayTouchOrder = (a: Actor, order: { created_by_key: string | null }) => a.role !== 'sales' || order.created_by_key === a.keyId;

export const mayAccessPlant = (a: Actor, plantId: string) => a.plantIds === null || a.plantIds.includes(plantId);
