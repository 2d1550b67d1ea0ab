import { sql, type AliasedRawBuilder, type RawBuilder } from 'kysely';

/** SQL types a VALUES list may carry (its parameters are untyped text without a cast). */
export type ValuesSqlType = 'uuid' | 'text' | 'bigint' | 'integer' | 'boolean' | 'timestamptz' | 'date' | 'double precision';

/**
 * Rows a single VALUES list may carry: PostgreSQL and PGlite take at most 65535 bind
 * parameters per statement, so callers with more rows run one statement per chunk.
 */
export function valuesChunkRows(columnCount: number): number {
  return Math.floor(60_000 / columnCount);
}

/**
 * `(VALUES ($1::uuid, $2::bigint), …) AS alias(col, …)` as a typed table expression, for a
 * batched `UPDATE … FROM (VALUES …)` (or a join) in one statement:
 *
 *     tx.updateTable('orders').from(values(rows, 'v', { id: 'uuid', key: 'bigint' }))
 *       .set((eb) => ({ drum_key: eb.ref('v.key') })).whereRef('orders.id', '=', 'v.id')
 *
 * Every value is cast to its column's type, so comparisons and assignments type-check in
 * SQL as in TypeScript. `rows` must not be empty (VALUES needs a row); `types` names the
 * columns and their order. The type names come from a closed list, never from input.
 */
export function values<R extends Record<string, unknown>, A extends string>(
  rows: readonly R[],
  alias: A,
  types: { [K in keyof R & string]: ValuesSqlType },
): AliasedRawBuilder<R, A> {
  if (rows.length === 0) throw new Error('values(): a VALUES list needs at least one row');
  const columns = Object.keys(types) as (keyof R & string)[];
  const tuples = rows.map((row) => sql`(${sql.join(columns.map((c): RawBuilder<unknown> => sql`${row[c]}::${sql.raw(types[c])}`))})`);
  return sql<R>`(VALUES ${sql.join(tuples)})`.as<A>(sql`${sql.ref(alias)}(${sql.join(columns.map((c) => sql.ref(c)))})`);
}
