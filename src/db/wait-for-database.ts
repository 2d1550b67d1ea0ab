import { sql } from 'kysely';
import type { Db } from './database.ts';

/** Connection failures worth waiting out at start-up (the database may still be booting). */
const TRANSIENT = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', '57P03']);

export function describeDbError(e: unknown): string {
  const err = e as { code?: string; message?: string; errors?: Array<{ message?: string }> };
  const message = err.message || err.errors?.[0]?.message || String(e);
  return err.code && !message.includes(err.code) ? `${err.code}: ${message}` : message;
}

/**
 * Waits until the database answers, retrying transient connection errors with capped
 * exponential backoff for up to `timeoutMs`. Reports the first failure once (not one line per
 * attempt); errors that waiting cannot cure (bad password, unknown database) end it at once.
 */
export async function waitForDatabase(
  db: Db,
  timeoutMs: number,
  report: (line: string) => void,
  sleep = (ms: number) => new Promise((r) => setTimeout(r, ms)),
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let delay = 250;
  let reported = false;
  for (;;) {
    try {
      await sql`SELECT 1`.execute(db);
      if (reported) report('database reachable; starting');
      return;
    } catch (e) {
      const code = (e as { code?: string }).code;
      const transient = code !== undefined && TRANSIENT.has(code);
      if (!transient || Date.now() + delay > deadline) {
        throw new DatabaseUnreachable(
          `cannot reach the database (${describeDbError(e)})${transient ? `; gave up after ${Math.round(timeoutMs / 1000)} s` : ''}`,
        );
      }
      if (!reported) report(`database not reachable yet (${describeDbError(e)}); retrying for up to ${Math.round(timeoutMs / 1000)} s`);
      reported = true;
      await sleep(delay);
      delay = Math.min(delay * 2, 5_000);
    }
  }
}

export class DatabaseUnreachable extends Error {}
