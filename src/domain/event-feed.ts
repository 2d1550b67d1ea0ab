import { listEvents } from '../db/repos/events.ts';
import { currentVersion } from './promising/orders.ts';
import type { StoredEvent } from './schedule/event-types.ts';
import type { PromisingDeps } from './promising/quotes.ts';

/**
 * The plant's audit log after sequence number `after`, oldest first, at most `limit`
 * events, and the last sequence number read (`after` when there is nothing new).
 * Unknown plants are a 404 (currentVersion checks the plant).
 */
export async function eventFeed(deps: PromisingDeps, plantId: string, after: number, limit: number) {
  await currentVersion(deps, plantId);
  // Rows were validated against the registry when appended (see StoredEvent).
  const items = (await listEvents(deps.db, plantId, after, limit)) as StoredEvent[];
  return { items, lastSeq: items.at(-1)?.seq ?? after };
}
