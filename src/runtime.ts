import { ConfigError, loadConfig, type Config } from './config.ts';
import { openDatabase, type DbHandle } from './db/connect.ts';
import { migrateToLatest } from './db/migrate.ts';

/** Shared start-up for the server and the CLIs: config → database → migrations. */
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
  const handle = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR });
  await migrateToLatest(handle.db);
  return { config, handle };
}
