import {
  CompiledQuery,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';
import type pg from 'pg';

/** A connection that can send several parameter-free statements in one round trip (a simple-protocol script). */
interface ScriptConnection extends DatabaseConnection {
  /** Runs the statements in order, as one message; the result of each. The first that fails stops the rest and is thrown. */
  executeScript(statements: readonly string[]): Promise<QueryResult<unknown>[]>;
}

export const canRunScripts = (c: DatabaseConnection): c is ScriptConnection => 'executeScript' in c;

/** A connection that can send rows with COPY … FROM STDIN. */
interface CopyConnection extends DatabaseConnection {
  /** Runs `statement` (a COPY … FROM STDIN) and sends it `data` (whole rows, in the statement's format) as one message. */
  copyFrom(statement: string, data: Uint8Array): Promise<void>;
}

export const canCopyFrom = (c: DatabaseConnection): c is CopyConnection => 'copyFrom' in c;

/** The part of node-postgres's connection a COPY FROM STDIN uses (pg's own API for pg-copy-streams; untyped in @types/pg). */
interface CopyProtocol {
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
}

// Kysely's PostgresDriver, with one thing more: a script of several statements in one
// message. Its connection keeps the pg client private and reads only a single result, so
// the write path's per-batch statements (deferred-statements.ts) could not share a round
// trip through it. Everything else behaves as Kysely's driver does (no cursor streaming:
// nothing here streams).
class PgConnection implements ScriptConnection {
  constructor(readonly client: pg.PoolClient) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    return toQueryResult<R>(await this.client.query(query.sql, [...query.parameters]));
  }

  async executeScript(statements: readonly string[]): Promise<QueryResult<unknown>[]> {
    // No values: node-postgres sends the text as one simple Query message, which may hold
    // several statements, and answers with a result per statement (an array when more than one).
    const out = (await this.client.query(statements.join(';\n'))) as unknown as pg.QueryResult | pg.QueryResult[];
    const results = Array.isArray(out) ? out : [out];
    if (results.length !== statements.length) throw new Error(`a script of ${statements.length} statements answered ${results.length}`);
    return results.map((r) => toQueryResult(r));
  }

  /**
   * COPY FROM STDIN as node-postgres runs it for pg-copy-streams: a submittable query whose
   * handlers the client calls with its connection. The statement goes as a simple Query; on
   * CopyInResponse the data follows as one CopyData message and CopyDone. The server then
   * answers CommandComplete and ReadyForQuery, or an ErrorResponse (after which the client
   * calls no other handler of this query; a lost connection also ends in handleError).
   */
  copyFrom(statement: string, data: Uint8Array): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const copy = {
        submit: (con: CopyProtocol) => con.query(statement),
        handleCopyInResponse: (con: CopyProtocol) => {
          con.sendCopyFromChunk(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
          con.endCopyFrom();
        },
        handleCommandComplete: () => {},
        handleReadyForQuery: () => resolve(),
        handleError: (err: unknown) => reject(err instanceof Error ? err : new Error(String(err))),
      };
      this.client.query(copy as unknown as pg.Submittable);
    });
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming queries are not supported by this driver');
  }
}

function toQueryResult<R>(r: pg.QueryResult): QueryResult<R> {
  const counted = r.command === 'INSERT' || r.command === 'UPDATE' || r.command === 'DELETE' || r.command === 'MERGE';
  return {
    ...(counted ? { numAffectedRows: BigInt(r.rowCount ?? 0) } : {}),
    rows: (r.rows ?? []) as R[],
  };
}

class PgDriver implements Driver {
  private readonly connections = new WeakMap<pg.PoolClient, PgConnection>();

  constructor(private readonly pool: pg.Pool) {}

  async init() {}

  async acquireConnection(): Promise<DatabaseConnection> {
    const client = await this.pool.connect();
    let c = this.connections.get(client);
    if (!c) this.connections.set(client, (c = new PgConnection(client)));
    return c;
  }

  async beginTransaction(c: DatabaseConnection, settings: TransactionSettings) {
    await c.executeQuery(CompiledQuery.raw(beginStatement(settings)));
  }

  async commitTransaction(c: DatabaseConnection) {
    await c.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(c: DatabaseConnection) {
    await c.executeQuery(CompiledQuery.raw('rollback'));
  }

  async releaseConnection(c: DatabaseConnection) {
    (c as PgConnection).client.release();
  }

  async destroy() {
    await this.pool.end();
  }
}

/** The statement that opens a transaction with these settings (as Kysely's drivers write it). */
export function beginStatement(settings: TransactionSettings): string {
  if (!settings.isolationLevel && !settings.accessMode) return 'begin';
  let s = 'start transaction';
  if (settings.isolationLevel) s += ` isolation level ${settings.isolationLevel}`;
  if (settings.accessMode) s += ` ${settings.accessMode}`;
  return s;
}

/** PostgreSQL through node-postgres, with scripts (see PgConnection). */
export function postgresDialect(pool: pg.Pool): Dialect {
  return {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new PgDriver(pool),
    createQueryCompiler: () => new PostgresQueryCompiler(),
    createIntrospector: (db) => new PostgresIntrospector(db),
  };
}
