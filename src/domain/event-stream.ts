import { isApiKeyActive } from '../db/repos/api-keys.ts';
import { lastEventSeq } from '../db/repos/webhooks.ts';
import type { Actor } from './actor.ts';
import { notFound } from './errors.ts';
import { eventFeed } from './event-feed.ts';
import { ownEventFeed } from './promising/own-events.ts';
import { findWebSession } from './web-sessions.ts';
import type { PromisingDeps } from './promising/quotes.ts';

/** Roles that read the whole feed (GET …/events); every other role sees the events of the orders it may act on (GET /v1/me/events). */
const WHOLE_FEED: readonly Actor['role'][] = ['planner', 'erp'];
/**
 * Capacity requests are a commercial conversation between sales and planners (admins may read
 * them too): a role that may not read them (GET …/capacity-requests: the floor) does not get
 * their steps on the stream either, though they name its orders.
 */
const READS_CAPACITY_REQUESTS: readonly Actor['role'][] = ['admin', 'planner', 'sales'];

/**
 * Where a live stream of the plant's events starts: after `resumeAfter` (the Last-Event-ID a
 * reconnecting client sends, or the caller's cursor), else after the plant's last event (a new
 * board wants what happens from now on, not the history). 404 for an unknown plant.
 */
export async function streamCursor(deps: PromisingDeps, plantId: string, resumeAfter: number | undefined): Promise<number> {
  const last = await lastEventSeq(deps.db, plantId);
  if (last === undefined) throw notFound(`Plant "${plantId}"`);
  return resumeAfter ?? last;
}

/** The next events a stream sends this caller, with the same visibility as the polled feeds. */
export async function streamEvents(deps: PromisingDeps, actor: Actor, plantId: string, after: number, limit: number) {
  if (WHOLE_FEED.includes(actor.role)) return eventFeed(deps, plantId, after, limit);
  const page = await ownEventFeed(deps, actor, plantId, after, limit);
  if (READS_CAPACITY_REQUESTS.includes(actor.role)) return page;
  // lastSeq stays the last event examined, so a page of nothing but request steps still moves the cursor on.
  return { ...page, items: page.items.filter((e) => !e.type.startsWith('capacity-request.')) };
}

/**
 * Whether an open stream may go on: its key is not revoked and the web session it was opened
 * with (if any) is still signed in and has not run out. Revocations also end streams at once
 * through the change feed; this check catches sign-outs (in any process) and the revocations
 * announced while notifications were down.
 */
export async function streamStillAllowed(
  deps: PromisingDeps,
  actor: Actor,
  session: { token: string; expiresAt: Date } | null,
): Promise<boolean> {
  if (session === null) return isApiKeyActive(deps.db, actor.keyId);
  if (deps.clock.now() >= session.expiresAt) return false;
  return (await findWebSession(deps.db, deps.clock, session.token)) !== null;
}
