import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openPostgres } from '../src/db/connect.ts';
import { migrateToLatest } from '../src/db/migrate.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Admin connection URL of a real PostgreSQL server, or '' when tests run on PGlite. */
    pgAdminUrl: string;
    /** A migrated template database each test file copies (CREATE DATABASE ... TEMPLATE). */
    pgTemplate: string;
  }
}

async function startContainer(): Promise<{ url: string; stop: () => Promise<unknown> } | undefined> {
  try {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const container = await new PostgreSqlContainer('postgres:15-alpine').start();
    return { url: container.getConnectionUri(), stop: () => container.stop() };
  } catch {
    return undefined; // no Docker engine: fall back to PGlite
  }
}

/**
 * Chooses the test database once per run: TEST_DATABASE_URL, else a testcontainers
 * Postgres, else PGlite. On a real server it migrates one template database that every
 * test file clones in ~40 ms, so files never share state.
 */
export default async function setup(project: TestProject) {
  let url = process.env.TEST_DATABASE_URL ?? '';
  const container = url ? undefined : await startContainer();
  if (container) url = container.url;
  if (!url) {
    console.warn('[drumbeat tests] no TEST_DATABASE_URL and no Docker: running on PGlite; concurrency tests are SKIPPED');
    project.provide('pgAdminUrl', '');
    project.provide('pgTemplate', '');
    return async () => {};
  }
  const runId = `${process.pid}_${randomBytes(3).toString('hex')}`;
  const template = `drumbeat_tpl_${runId}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${template}`);
  const handle = openPostgres(withDatabase(url, template), 1);
  await migrateToLatest(handle.db);
  await handle.close();
  project.provide('pgAdminUrl', url);
  project.provide('pgTemplate', template);
  return async () => {
    const { rows } = await admin.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [
      `drumbeat_%${runId}%`,
    ]);
    for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
    await admin.end();
    await container?.stop();
  };
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}
