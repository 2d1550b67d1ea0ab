import type { Selectable } from 'kysely';
import type { DbOrTx, ScheduleEventsTable } from '../database.ts';

interface NewEvent {
  type: string;
  orderId?: string | null;
  data?: Record<string, unknown>;
}

export interface EventRow {
  seq: number;
  scheduleVersion: number;
  type: string;
  actor: string;
  at: string;
  orderId: string | null;
  data: Record<string, unknown>;
}

/** An event with the schedule version and actor it was committed under. */
export interface VersionedEvent extends NewEvent {
  version: number;
  actor: string;
}

export async function listEvents(db: DbOrTx, plantId: string, after: number, limit: number): Promise<EventRow[]> {
  const rows = await db
    .selectFrom('schedule_events')
    .selectAll()
    .where('plant_id', '=', plantId)
    .where('seq', '>', after)
    .orderBy('seq')
    .limit(limit)
    .execute();
  return rows.map(eventFromRow);
}

/** A stored schedule_events row in the shape every reader of events returns (feed, own feed, export, webhooks). */
export function eventFromRow(r: Omit<Selectable<ScheduleEventsTable>, 'plant_id'>): EventRow {
  return {
    seq: r.seq,
    scheduleVersion: r.schedule_version,
    type: r.type,
    actor: r.actor,
    at: r.at.toISOString(),
    orderId: r.order_id,
    data: r.data,
  };
}
