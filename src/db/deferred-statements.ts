import { CompiledQuery, type DatabaseConnection, type Dialect, type Driver, type QueryResult, type TransactionSettings } from 'kysely';
import type { DbOrTx } from './database.ts';
import { beginStatement, canCopyFrom, canRunScripts } from './pg-driver.ts';

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
//
// Round trips are what a batch holding the plant lock pays for most on a busy machine (each
// one is a socket write and a wake-up of the backend, on both sides), so the connection also
// sends statements together where it can, never changing their order:
// - the transaction's BEGIN is not sent on its own but with the first statement (and not at
//   all for a transaction that sends none);
// - statements whose answer nobody waits for (sendLater: a batch's rows and events) go with
//   the next statement, or with the COMMIT;
// - statements whose answers are all wanted at once (sendTogether: the lock and the catch-up
//   reads) go together.
// Together means one simple-protocol script, which has no bind parameters: only statements
// without parameters (their values written in with db/literals.ts) are joined; one with
// parameters goes on its own, after those before it. A connection that cannot run scripts
// (PGlite, in process: no round trip to save) gets them one by one, in the same order.
const CONTROL_SQL = '/* drumbeat: deferred work */';
const LATER_SQL = '/* drumbeat: send later */';
const TOGETHER_SQL = '/* drumbeat: send together */';
const COPY_SQL = '/* drumbeat: copy from stdin */';
const ROLLBACK_TO = /^\s*rollback\s+to\s/i;

/** Registers `work` (or clears it, with null) to run before each statement sent on `tx`. */
export async function beforeEachStatement(tx: DbOrTx, work: DeferredWork | null): Promise<void> {
  await tx.executeQuery(CompiledQuery.raw(CONTROL_SQL, [work]));
}

/**
 * Sends `query` with the transaction's next statement or its COMMIT, whichever comes first
 * (at once outside a transaction). Its failure is reported there: by that statement, or by
 * the commit, and the transaction is rolled back as for any failed statement.
 */
export async function sendLater(tx: DbOrTx, query: CompiledQuery): Promise<void> {
  await tx.executeQuery(CompiledQuery.raw(LATER_SQL, [query]));
}

/**
 * Runs `statement`, a COPY … FROM STDIN, with the rows `data()` writes (in the statement's format) on a
 * connection that can (PostgreSQL), and returns true; on one that cannot (PGlite) sends nothing,
 * never calls `data`, and returns false (the caller writes its rows another way).
 */
export async function copyFrom(db: DbOrTx, statement: string, data: () => Uint8Array): Promise<boolean> {
  const r = await db.executeQuery<{ copied: boolean }>(CompiledQuery.raw(COPY_SQL, [statement, data]));
  return r.rows[0]?.copied === true;
}

/** Sends `queries` in one round trip when they have no parameters; the result of each, in order. */
export async function sendTogether(tx: DbOrTx, queries: readonly CompiledQuery[]): Promise<QueryResult<unknown>[]> {
  return (await tx.executeQuery<QueryResult<unknown>>(CompiledQuery.raw(TOGETHER_SQL, [queries]))).rows;
}

class DeferringConnection implements DatabaseConnection {
  private pending: DeferredWork | null = null;
  private inTransaction = false;
  /** The transaction's BEGIN while it is not sent yet. */
  private begin: string | null = null;
  /** Statements to send before the next one (sendLater). */
  private later: CompiledQuery[] = [];
  /** A statement of the transaction failed, and no ROLLBACK TO SAVEPOINT has undone it since. */
  private failed = false;

  constructor(readonly inner: DatabaseConnection) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    switch (query.sql) {
      case CONTROL_SQL:
        this.pending = (query.parameters[0] as DeferredWork | null) ?? null;
        return { rows: [] };
      case LATER_SQL:
        if (this.inTransaction) this.later.push(query.parameters[0] as CompiledQuery);
        else await this.send([query.parameters[0] as CompiledQuery]);
        return { rows: [] };
      case TOGETHER_SQL: {
        await this.runPending();
        const rows = await this.send(query.parameters[0] as CompiledQuery[]);
        return { rows: rows as R[] };
      }
      case COPY_SQL: {
        if (!canCopyFrom(this.inner)) return { rows: [{ copied: false }] as R[] };
        await this.runPending();
        await this.send([]);
        try {
          await this.inner.copyFrom(query.parameters[0] as string, (query.parameters[1] as () => Uint8Array)());
        } catch (e) {
          if (this.inTransaction) this.failed = true;
          throw e;
        }
        return { rows: [{ copied: true }] as R[] };
      }
    }
    await this.runPending();
    return (await this.send([query]))[0] as QueryResult<R>;
  }

  async *streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    await this.runPending();
    await this.send([]);
    yield* this.inner.streamQuery<R>(query, chunkSize);
  }

  startTransaction(settings: TransactionSettings) {
    this.drop();
    this.inTransaction = true;
    this.begin = beginStatement(settings);
  }

  /**
   * COMMIT with whatever is still to send; nothing at all for a transaction that sent nothing.
   * Refused (thrown) after a failed statement that no ROLLBACK TO SAVEPOINT undid: PostgreSQL
   * answers that COMMIT with a ROLLBACK and no error, and the caller would report as committed
   * what never was. A failure is caught by whoever runs the statement that carries it, and a
   * statement sent later (sendLater) travels with someone else's: in a group of plants, one
   * plant's rejected rows surface in the next plant's write, which may take them for its own.
   */
  async commit() {
    if (this.failed) throw new Error('the transaction cannot commit: one of its statements failed and was not rolled back');
    const nothingSent = this.begin !== null && this.later.length === 0;
    this.pending = null;
    try {
      if (!nothingSent) await this.send([CompiledQuery.raw('commit')]);
    } finally {
      this.drop();
    }
  }

  /** Statements not sent yet are simply dropped; ROLLBACK only if BEGIN went out. */
  async rollback() {
    const begun = this.begin === null;
    this.drop();
    if (begun) await this.inner.executeQuery(CompiledQuery.raw('rollback'));
  }

  /** Transaction boundaries end whatever was deferred inside the transaction. */
  drop() {
    this.failed = false;
    this.pending = null;
    this.inTransaction = false;
    this.begin = null;
    this.later = [];
  }

  private async runPending() {
    await this.pending?.((q) => this.send([q]).then((r) => r[0]!));
  }

  /**
   * Sends the BEGIN and later statements still waiting, then `queries`, in as few round trips
   * as the rules above allow; returns the results of `queries`.
   */
  private async send(queries: readonly CompiledQuery[]): Promise<QueryResult<unknown>[]> {
    const all = [...(this.begin === null ? [] : [CompiledQuery.raw(this.begin)]), ...this.later, ...queries];
    // Gone once handed over: a failure leaves the transaction aborted (or ended) either way.
    this.begin = null;
    this.later = [];
    const results: QueryResult<unknown>[] = [];
    const script: string[] = [];
    const flushScript = async () => {
      if (script.length === 0) return;
      const statements = script.splice(0);
      if (statements.length === 1 || !canRunScripts(this.inner)) {
        for (const s of statements) results.push(await this.inner.executeQuery(CompiledQuery.raw(s)));
      } else {
        results.push(...(await this.inner.executeScript(statements)));
      }
    };
    try {
      for (const q of all) {
        if (q.parameters.length === 0) {
          script.push(q.sql);
          continue;
        }
        await flushScript();
        results.push(await this.inner.executeQuery(q));
      }
      await flushScript();
    } catch (e) {
      if (this.inTransaction) this.failed = true;
      throw e;
    }
    // ROLLBACK TO SAVEPOINT succeeds only for a savepoint set before the failure, and undoes it.
    if (this.failed && all.some((q) => ROLLBACK_TO.test(q.sql))) this.failed = false;
    return results.slice(results.length - queries.length);
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

  async beginTransaction(c: DatabaseConnection, settings: TransactionSettings) {
    (c as DeferringConnection).startTransaction(settings);
  }

  commitTransaction(c: DatabaseConnection) {
    return (c as DeferringConnection).commit();
  }

  rollbackTransaction(c: DatabaseConnection) {
    return (c as DeferringConnection).rollback();
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

/** The dialect with deferred work (beforeEachStatement) and joined statements on its transactions' connections. */
export function withDeferredStatements(inner: Dialect): Dialect {
  return {
    createAdapter: () => inner.createAdapter(),
    createDriver: () => new DeferringDriver(inner.createDriver()),
    createQueryCompiler: () => inner.createQueryCompiler(),
    createIntrospector: (db) => inner.createIntrospector(db),
  };
}
