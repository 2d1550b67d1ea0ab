import { ConfigError, loadConfig, type Config } from './config.ts';
import { openDatabase, type DbHandle } from './db/connect.ts';
import { migrateToLatest } from './db/migrate.ts';
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
  let handle: DbHandle | undefined;
  try {
    handle = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR });
    await waitForDatabase(handle.db, config.DATABASE_START_TIMEOUT_SECONDS * 1000, (line) => console.error(`drumbeat: ${line}`));
    await migrateToLatest(handle.db);
    return { config, handle };
  } catch (e) {
    console.error(`drumbeat: ${e instanceof Error ? e.message : String(e)}`);
    await handle?.close().catch(() => {});
    process.exit(1);
  }
}
