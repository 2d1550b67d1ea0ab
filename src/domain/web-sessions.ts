import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Db } from '../db/database.ts';
import { deleteWebSession, findLiveWebSession, insertWebSession } from '../db/repos/web-sessions.ts';
import type { Actor } from './actor.ts';
import type { Clock } from './clock.ts';

/** Default absolute lifetime of a web session (WEB_SESSION_HOURS): a working shift, no sliding renewal. */
export const DEFAULT_WEB_SESSION_HOURS = 8;

/** What the web app learns about its session (also what GET /app/session answers). */
export interface WebSession {
  role: Actor['role'];
  name: string;
  principal: string;
  plantIds: string[] | null;
  /** Sent back as X-CSRF-Token on every write made with the cookie. */
  csrfToken: string;
  expiresAt: Date;
}

export interface LiveWebSession {
  actor: Actor;
  session: WebSession;
}

// Random 256-bit tokens, so a plain SHA-256 is a sufficient one-way hash (as for API keys).
const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
const newToken = () => randomBytes(32).toString('base64url');

const sessionOf = (actor: Actor, csrfToken: string, expiresAt: Date): WebSession => ({
  role: actor.role,
  name: actor.name,
  principal: actor.principal,
  plantIds: actor.plantIds,
  csrfToken,
  expiresAt,
});

/**
 * Opens a session for an actor whose API key was just checked: returns the cookie's token
 * (only its hash is stored) and the session. Sessions that ran out are forgotten by the hourly
 * retention (retention/retention.ts), not here: a sign-in writes one row and deletes nothing.
 */
export async function openWebSession(db: Db, clock: Clock, actor: Actor, hours: number) {
  const now = clock.now();
  const token = newToken();
  const csrfToken = newToken();
  const expiresAt = new Date(now.getTime() + hours * 3_600_000);
  await insertWebSession(db, {
    token_hash: hashToken(token),
    key_id: actor.keyId,
    csrf_token: csrfToken,
    created_at: now,
    expires_at: expiresAt,
  });
  return { token, session: sessionOf(actor, csrfToken, expiresAt) };
}

/** The session a cookie's token stands for, with its key's actor; null when unknown, expired or its key revoked. */
export async function findWebSession(db: Db, clock: Clock, token: string): Promise<LiveWebSession | null> {
  const row = await findLiveWebSession(db, hashToken(token), clock.now());
  if (!row) return null;
  const actor: Actor = { keyId: row.id, name: row.name, role: row.role, principal: row.principal, plantIds: row.plant_ids };
  return { actor, session: sessionOf(actor, row.csrf_token, row.expires_at) };
}

export async function closeWebSession(db: Db, token: string) {
  await deleteWebSession(db, hashToken(token));
}

/** Constant-time comparison of the CSRF header with the session's token. */
export function csrfMatches(sent: string | undefined, expected: string): boolean {
  if (sent === undefined) return false;
  const a = Buffer.from(sent);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
