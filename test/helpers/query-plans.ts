import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database, DbOrTx } from '../../src/db/database.ts';

/** A node of `EXPLAIN (ANALYZE, FORMAT JSON)`, with the fields plan tests read. */
export interface PlanNode {
  'Relation Name'?: string;
  'Index Name'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  'Rows Removed by Filter'?: number;
  'Rows Removed by Index Recheck'?: number;
  Plans?: PlanNode[];
}

/** Rows the plan's scans of `table` returned or threw away (a count of work, not of time). */
export function rowsTouched(node: PlanNode, table: string): number {
  const own =
    node['Relation Name'] === table
      ? ((node['Actual Rows'] ?? 0) + (node['Rows Removed by Filter'] ?? 0) + (node['Rows Removed by Index Recheck'] ?? 0)) *
        (node['Actual Loops'] ?? 1)
      : 0;
  return own + (node.Plans ?? []).reduce((n, p) => n + rowsTouched(p, table), 0);
}

/** The root of `EXPLAIN (ANALYZE, FORMAT JSON) text` (PGlite answers the JSON as text, PostgreSQL as an object). */
export async function explainAnalyze(db: DbOrTx, text: string): Promise<PlanNode> {
  const plan = await sql.raw<{ 'QUERY PLAN': unknown }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${text}`).execute(db);
  const raw = plan.rows[0]!['QUERY PLAN'];
  const [root] = (typeof raw === 'string' ? JSON.parse(raw) : raw) as { Plan: PlanNode }[];
  return root!.Plan;
}

class RolledBack extends Error {}

/** `fn` on one connection of `db`, with `mode` plans for prepared statements; rolled back. */
export async function inPlanMode<T>(
  db: Kysely<Database>,
  mode: 'force_generic_plan' | 'force_custom_plan',
  fn: (tx: Transaction<Database>) => Promise<T>,
): Promise<T> {
  let out: T | undefined;
  await db
    .transaction()
    .execute(async (tx) => {
      await sql.raw(`SET LOCAL plan_cache_mode = ${mode}`).execute(tx);
      out = await fn(tx);
      throw new RolledBack();
    })
    .catch((e: unknown) => {
      if (!(e instanceof RolledBack)) throw e;
    });
  return out as T;
}

/** Names for prepared statements, one per use: they outlive the transaction on their connection. */
export function statementNames(): (prefix: string) => string {
  let statements = 0;
  return (prefix) => `${prefix}_${++statements}`;
}
