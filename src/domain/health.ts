import type { Db } from '../db/database.ts';
import { pingDatabase } from '../db/health.ts';
import { migrationsApplied } from '../db/migrate.ts';

export type Readiness = { ready: true } | { ready: false; detail: 'database unreachable' | 'migrations pending' };

/** Ready to serve: the database answers and every known migration has been applied. */
export async function checkReadiness(db: Db): Promise<Readiness> {
  try {
    await pingDatabase(db);
    if (!(await migrationsApplied(db))) return { ready: false, detail: 'migrations pending' };
    return { ready: true };
  } catch {
    return { ready: false, detail: 'database unreachable' };
  }
}

/** One round trip to the database; throws when it is unreachable. */
export const checkDatabase = (db: Db) => pingDatabase(db);
