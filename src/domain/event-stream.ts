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
export function streamEvents(deps: PromisingDeps, actor: Actor, plantId: string, after: number, limit: number) {
  return WHOLE_FEED.includes(actor.role) ? eventFeed(deps, plantId, after, limit) : ownEventFeed(deps, actor, plantId, after, limit);
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
