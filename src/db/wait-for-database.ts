import { sql } from 'kysely';
import type { Db } from './database.ts';
import { describeDbError, isDatabaseUnavailable } from './errors.ts';

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
      const transient = isDatabaseUnavailable(e);
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

class DatabaseUnreachable extends Error {}
