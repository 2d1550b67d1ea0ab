import type { EventRow } from '../../db/repos/events.ts';

/** The event's id, and the webhook-id of every delivery of it: stable across attempts and subscriptions. */
export const eventId = (plantId: string, seq: number) => `evt_${plantId}_${seq}`;

/** The Standard Webhooks envelope: type, timestamp, and the event as the event feed shows it (plus its id and plant). */
export function webhookBody(plantId: string, e: EventRow): string {
  return JSON.stringify({
    type: e.type,
    timestamp: e.at,
    data: { id: eventId(plantId, e.seq), plant: plantId, ...e },
  });
}
