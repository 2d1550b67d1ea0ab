import { ConfigError, loadConfig, type Config } from './config.ts';
import { openDatabase, openPostgres, type DbHandle } from './db/connect.ts';
import { migrateToLatest, migrationsApplied } from './db/migrate.ts';
import { currentRole, grantServiceRole } from './db/service-role.ts';
import { waitForDatabase } from './db/wait-for-database.ts';

/**
 * Shared start-up for the server and the CLIs: config → database → migrations. A failure here
 * is an operator's problem, not a bug: it prints one line naming the cause and exits non-zero.
 */
export async function openRuntime(): Promise<{ config: Config; handle: DbHandle }> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(2);
    }
    throw e;
  }
  const report = (line: string) => console.error(`drumbeat: ${line}`);
  let handle: DbHandle | undefined;
  try {
    handle = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR });
    await waitForDatabase(handle.db, config.DATABASE_START_TIMEOUT_SECONDS * 1000, report);
    await migrate(config, handle, report);
    return { config, handle };
  } catch (e) {
    console.error(`drumbeat: ${e instanceof Error ? e.message : String(e)}`);
    await handle?.close().catch(() => {});
    process.exit(1);
  }
}

/**
 * With MIGRATION_DATABASE_URL the owner migrates and grants the service's role what it needs;
 * without it the service migrates itself, but only when something is pending, so a service
 * role that cannot migrate starts fine on an up-to-date schema.
 */
async function migrate(config: Config, handle: DbHandle, report: (line: string) => void) {
  if (!config.MIGRATION_DATABASE_URL) {
    if (!(await migrationsApplied(handle.db))) await migrateToLatest(handle.db);
    return;
  }
  const owner = openPostgres(config.MIGRATION_DATABASE_URL, 1);
  try {
    await waitForDatabase(owner.db, config.DATABASE_START_TIMEOUT_SECONDS * 1000, report);
    await migrateToLatest(owner.db);
    const [service, owning] = await Promise.all([currentRole(handle.db), currentRole(owner.db)]);
    if (service !== owning) await grantServiceRole(owner.db, service);
  } finally {
    await owner.close();
  }
}
