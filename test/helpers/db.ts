import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { openPglite, openPostgres, type DbHandle } from '../../src/db/connect.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { withDatabase } from '../global-setup.ts';

export type TestDb = DbHandle & { url?: string };

export const realPostgresAvailable = () => inject('pgAdminUrl') !== '';

/** A fresh, migrated database for one test file: a clone of the template on Postgres, else PGlite. */
export async function openTestDb(opts: { kind?: 'postgres' | 'pglite' } = {}): Promise<TestDb> {
  const adminUrl = inject('pgAdminUrl');
  const template = inject('pgTemplate');
  if (opts.kind !== 'pglite' && adminUrl) {
    const name = `drumbeat_t_${template.replace('drumbeat_tpl_', '')}_${randomBytes(4).toString('hex')}`;
    await adminQuery(adminUrl, `CREATE DATABASE ${name} TEMPLATE ${template}`);
    const url = withDatabase(adminUrl, name);
    const handle = openPostgres(url, 20);
    return {
      ...handle,
      url,
      close: async () => {
        await handle.close();
        await adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      },
    };
  }
  if (opts.kind === 'postgres') throw new Error('real PostgreSQL requested but none is configured');
  const handle = await openPglite(undefined);
  await migrateToLatest(handle.db);
  return handle;
}

/** An empty, unmigrated database of this kind, for migration tests (on PostgreSQL a new database of this run). */
export async function openEmptyDb(kind: 'pglite' | 'postgres'): Promise<TestDb> {
  if (kind === 'pglite') return openPglite(undefined);
  const adminUrl = inject('pgAdminUrl');
  const name = `drumbeat_t_${inject('pgTemplate').replace('drumbeat_tpl_', '')}_e${randomBytes(4).toString('hex')}`;
  await adminQuery(adminUrl, `CREATE DATABASE ${name}`);
  const url = withDatabase(adminUrl, name);
  const handle = openPostgres(url, 5);
  return {
    ...handle,
    url,
    close: async () => {
      await handle.close();
      await adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

async function adminQuery(url: string, text: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}
