import { CompiledQuery, type DatabaseConnection, type Dialect, type Driver, type QueryResult, type TransactionSettings } from 'kysely';
import type { DbOrTx } from './database.ts';

/** Sends one statement on the transaction's own connection (inside deferred work, never through the transaction). */
export type RunStatement = (query: CompiledQuery) => Promise<QueryResult<unknown>>;

/** Work that must reach the database before each statement of a transaction, while it is registered. */
export type DeferredWork = (run: RunStatement) => Promise<void>;

// A group-commit batch wants a write that sends no SQL of its own (a new order is a row kept
// in memory until the batch flushes it) to cost no round trip at all, and a write that does
// send SQL to run inside its own savepoint, after the rows of the writes before it and its
// own. Neither the writer nor Kysely knows ahead which writes send SQL, so the connection does:
// work registered on a transaction runs right before each statement sent on it (the work
// itself knows when it has nothing left to do) until it is cleared; with no statement, it
// never runs. The registration travels as a control query the connection answers itself
// (never sent), so it keeps its place among the transaction's statements.
const CONTROL_SQL = '/* drumbeat: deferred work */';

/** Registers `work` (or clears it, with null) to run before each statement sent on `tx`. */
export async function beforeEachStatement(tx: DbOrTx, work: DeferredWork | null): Promise<void> {
  await tx.executeQuery(CompiledQuery.raw(CONTROL_SQL, [work]));
}

class DeferringConnection implements DatabaseConnection {
  private pending: DeferredWork | null = null;

  constructor(readonly inner: DatabaseConnection) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    if (query.sql === CONTROL_SQL) {
      this.pending = (query.parameters[0] as DeferredWork | null) ?? null;
      return { rows: [] };
    }
    await this.runPending();
    return this.inner.executeQuery<R>(query);
  }

  async *streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    await this.runPending();
    yield* this.inner.streamQuery<R>(query, chunkSize);
  }

  /** Transaction boundaries end whatever was deferred inside the transaction. */
  drop() {
    this.pending = null;
  }

  private async runPending() {
    await this.pending?.((q) => this.inner.executeQuery(q));
  }
}

class DeferringDriver implements Driver {
  private readonly wrappers = new WeakMap<DatabaseConnection, DeferringConnection>();

  constructor(private readonly inner: Driver) {}

  init() {
    return this.inner.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const c = await this.inner.acquireConnection();
    let w = this.wrappers.get(c);
    if (!w) this.wrappers.set(c, (w = new DeferringConnection(c)));
    return w;
  }

  beginTransaction(c: DatabaseConnection, settings: TransactionSettings) {
    const w = c as DeferringConnection;
    w.drop();
    return this.inner.beginTransaction(w.inner, settings);
  }

  commitTransaction(c: DatabaseConnection) {
    const w = c as DeferringConnection;
    w.drop();
    return this.inner.commitTransaction(w.inner);
  }

  rollbackTransaction(c: DatabaseConnection) {
    const w = c as DeferringConnection;
    w.drop();
    return this.inner.rollbackTransaction(w.inner);
  }

  releaseConnection(c: DatabaseConnection) {
    const w = c as DeferringConnection;
    w.drop();
    return this.inner.releaseConnection(w.inner);
  }

  destroy() {
    return this.inner.destroy();
  }
}

/** The dialect with deferred work (beforeEachStatement) on its transactions' connections. */
export function withDeferredStatements(inner: Dialect): Dialect {
  return {
    createAdapter: () => inner.createAdapter(),
    createDriver: () => new DeferringDriver(inner.createDriver()),
    createQueryCompiler: () => inner.createQueryCompiler(),
    createIntrospector: (db) => inner.createIntrospector(db),
  };
}
