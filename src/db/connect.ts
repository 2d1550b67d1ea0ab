import { PGlite, types as pgliteTypes } from '@electric-sql/pglite';
import { Kysely } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import pg from 'pg';
import type { Database, Db } from './database.ts';
import { lockDataDir } from './data-dir-lock.ts';
import { withDeferredStatements } from './deferred-statements.ts';
import { postgresDialect } from './pg-driver.ts';

export interface DbHandle {
  db: Db;
  kind: 'postgres' | 'pglite';
  close(): Promise<void>;
  /**
   * Subscribes to NOTIFY on a channel. `onLost` fires if the subscription breaks (then the
   * caller must stop trusting it). Returns the unsubscribe function.
   */
  listen(channel: string, onPayload: (payload: string) => void, onLost: () => void): Promise<() => Promise<void>>;
}

const INT8 = 20;
const DATE = 1082;

// Both drivers must hand the application the same JavaScript types, or tests pass on
// PGlite and production differs: bigint as number (our counters stay far below 2^53),
// `date` as the 'YYYY-MM-DD' string it is (a Date would shift it by the server's zone).
pg.types.setTypeParser(INT8, (v) => Number(v));
pg.types.setTypeParser(DATE, (v) => v);

export function openPostgres(url: string, poolSize = 10): DbHandle {
  // A bounded connect wait: with the database away, requests fail fast (503) instead of hanging.
  // Idle clients stay open for minutes, not pg's default 10 s: a burst after a pause would otherwise pay
  // a backend start (fork, authentication, catalog caches) per client on both sides.
  const pool = new pg.Pool({ connectionString: url, max: poolSize, connectionTimeoutMillis: 5_000, idleTimeoutMillis: 300_000 });
  // An idle client losing its server must not crash the process; the next query reports it.
  pool.on('error', () => {});
  // A checked-out client (inside a transaction, between statements) that loses its server emits
  // 'error' with no listener, which would kill the process: its next query reports it instead.
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = new Kysely<Database>({ dialect: withDeferredStatements(postgresDialect(pool)) });
  const listen = async (channel: string, onPayload: (payload: string) => void, onLost: () => void) => {
    // A dedicated connection: LISTEN must outlive any pooled client's checkout.
    const client = new pg.Client({ connectionString: url });
    client.on('error', onLost);
    client.on('end', onLost);
    client.on('notification', (n) => {
      if (n.channel === channel) onPayload(n.payload ?? '');
    });
    await client.connect();
    await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    return async () => {
      client.removeAllListeners('end');
      await client.end().catch(() => {});
    };
  };
  return { db, kind: 'postgres', close: () => db.destroy(), listen };
}

export async function openPglite(dataDir: string | undefined): Promise<DbHandle> {
  const unlock = dataDir ? lockDataDir(dataDir) : () => {};
  let client: PGlite;
  try {
    client = await PGlite.create({
      ...(dataDir ? { dataDir } : {}),
      parsers: {
        [pgliteTypes.INT8]: (v: string) => Number(v),
        [pgliteTypes.DATE]: (v: string) => v,
      },
    });
  } catch (e) {
    unlock();
    throw e;
  }
  const handle = wrapPglite(client);
  return {
    ...handle,
    close: async () => {
      await handle.close();
      unlock();
    },
  };
}

function wrapPglite(client: PGlite): DbHandle {
  const db = new Kysely<Database>({ dialect: withDeferredStatements(new PGliteDialect(client)) });
  const listen = async (channel: string, onPayload: (payload: string) => void) => {
    const unlisten = await client.listen(channel, onPayload);
    return async () => {
      if (!client.closed) await unlisten();
    };
  };
  return { db, kind: 'pglite', close: () => db.destroy(), listen };
}

export async function openDatabase(opts: { databaseUrl?: string | undefined; dataDir?: string | undefined }): Promise<DbHandle> {
  return opts.databaseUrl ? openPostgres(opts.databaseUrl) : openPglite(opts.dataDir);
}
