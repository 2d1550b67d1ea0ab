import { sql, type CompiledQuery, type Insertable, type Selectable } from 'kysely';
import type { DbOrTx, OrderOperationsTable } from '../database.ts';
import { inlineInteger, inlineRecordArray, inlineText } from '../literals.ts';
import { rowsRecordArray } from '../row-json.ts';
import { COMMITTED_LIST, ORDER_RECORD_COLUMNS, type OrderRow } from './orders.ts';
import { valuesChunkRows } from '../values.ts';

export type OrderOperationRow = Selectable<OrderOperationsTable>;

/**
 * Writes orders' operations (routing snapshot and planned intervals) in one multi-row INSERT
 * (one per chunk past the bind-parameter limit); nothing for no rows. Only inside a
 * reschedule: the database refuses operations written outside one (migration 0009).
 */
export async function insertOrderOperations(tx: DbOrTx, rows: readonly Insertable<OrderOperationsTable>[]): Promise<void> {
  const chunk = valuesChunkRows(11);
  for (let i = 0; i < rows.length; i += chunk)
    await tx
      .insertInto('order_operations')
      .values(rows.slice(i, i + chunk))
      .execute();
}

/**
 * Replaces the operations of orders of one plant: one DELETE for those that had stored
 * ones (`replaced`; new orders have none) and one multi-row INSERT of `rows` for them all.
 */
export async function replaceOperations(
  tx: DbOrTx,
  plantId: string,
  replaced: readonly string[],
  rows: readonly Omit<Insertable<OrderOperationsTable>, 'plant_id'>[],
): Promise<void> {
  if (replaced.length > 0)
    await tx
      .deleteFrom('order_operations')
      .where('plant_id', '=', plantId)
      .where('order_id', '=', sql<string>`ANY(${sql.val([...replaced])}::uuid[])`)
      .execute();
  await insertOrderOperations(
    tx,
    rows.map((r) => ({ ...r, plant_id: plantId })),
  );
}

/**
 * The operations of these orders of the plant, flat, by (order_id, position). The order ids
 * travel as one array parameter (`= ANY($2::uuid[])`), so a page of any size is one statement
 * with two parameters and one index range per order on the primary key.
 *
 * The cold build reads the plant's committed orders in keyset pages by id
 * (committedDrumRowsPage) and then the operations of exactly that page's ids with this: cheaper
 * than a separate operations page keyed by (order_id, position), which would need a join on
 * orders to skip the operations of orders no longer committed (they accumulate) and whose
 * row limit would cut an order's operations in two.
 */
export async function operationsForOrders(db: DbOrTx, plantId: string, orderIds: readonly string[]): Promise<OrderOperationRow[]> {
  if (orderIds.length === 0) return [];
  return db
    .selectFrom('order_operations')
    .selectAll()
    .where('plant_id', '=', plantId)
    .where('order_id', '=', sql<string>`ANY(${sql.val([...orderIds])}::uuid[])`)
    .orderBy('order_id')
    .orderBy('position')
    .execute();
}

/**
 * The operations of the plant's committed orders changed after `sinceVersion` (a catch-up's
 * second read), compiled without parameters (db/literals.ts) to travel with the lock. Raw SQL
 * because it is built for every batch (see changedDrumRowsQuery).
 *
 * The changed orders are found first, on their own (a MATERIALIZED CTE), and only then
 * filtered by status: with status among the conditions of one scan, a planner without fresh
 * statistics (a young or fast-growing table) rated orders_status (plant, status) the more
 * selective index and read every committed order of the plant to keep the few changed ones,
 * on every catch-up: a batch's cost grew with the plant (9 ms at 25k orders). Statistics
 * taken before the plant grew (a new plant on a busy database; any plant growing faster than
 * autovacuum analyses) rate every index led by plant_id alike, and the planner read the
 * plant's orders through orders_owner_principal and all its operations (5 ms a catch-up in
 * the confirm bench). ORDER BY changed_version leaves orders_changed the one index that saves
 * a sort; since migration 0027 the other plant-led indexes are partial (their second column
 * IS NOT NULL), so a scan by plant_id alone cannot use them, and only orders_changed and the
 * primary key can serve this read whatever the statistics say. The operations are then read order by order, each by its full key prefix (a subplan
 * per changed order, which the planner cannot turn into a join): as a semi-join, or with the
 * ids as an array, the plan that scans the plant's operations once and filters them costed
 * the same or less on those statistics, and kept being chosen.
 */
export function operationsOfChangedOrdersQuery(db: DbOrTx, plantId: string, sinceVersion: number): CompiledQuery<OrderOperationRow> {
  const plant = inlineText(plantId);
  return sql<OrderOperationRow>`WITH changed AS MATERIALIZED (
      SELECT id, status FROM orders WHERE plant_id = ${plant} AND changed_version > ${inlineInteger(sinceVersion)}
      ORDER BY changed_version)
    SELECT op.* FROM changed c,
      LATERAL unnest(ARRAY(SELECT o FROM order_operations o WHERE o.plant_id = ${plant} AND o.order_id = c.id)) AS op
    WHERE c.status IN (${COMMITTED_LIST})
    ORDER BY op.order_id, op.position`.compile(db);
}

/** `operationsForOrders` grouped by order id, each list by position. */
export async function operationsByOrder(
  db: DbOrTx,
  plantId: string,
  orderIds: readonly string[],
): Promise<Map<string, OrderOperationRow[]>> {
  const out = new Map<string, OrderOperationRow[]>();
  for (const row of await operationsForOrders(db, plantId, orderIds)) {
    const list = out.get(row.order_id);
    if (list) list.push(row);
    else out.set(row.order_id, [row]);
  }
  return out;
}

/**
 * The fields of `drumbeat_operation_row_v1` in order (migration 0029: the columns of
 * `order_operations` as they were then): how a batch's operation rows are written as records
 * (a test compares the list with the type's and the table's). The plant's id is not written per
 * row: the function sets it.
 */
export const OPERATION_RECORD_COLUMNS = [
  'plant_id',
  'order_id',
  'position',
  'resource_id',
  'minutes',
  'start_at',
  'end_at',
  'done_minutes',
  'started_at',
  'reported_at',
  'completed_at',
] as const satisfies readonly (keyof OrderOperationsTable)[];

/**
 * New orders (complete rows, see completeOrderRow) and the operation rows of a batch in one
 * statement: a call of drumbeat_insert_orders (migration 0029), which inserts the orders and
 * then their operations with plans kept for the session (their foreign key finds the orders
 * there). Both as an array of records of a versioned type (db/row-json.ts rowsRecordArray; an
 * operation's plant is the function's first argument, a missing done_minutes is 0), written
 * into the statement's text (db/literals.ts): it has no parameters, so the writer can send it
 * with the batch's events and COMMIT in one round trip (deferred-statements.ts sendLater).
 * Compiled, not run.
 */
export function insertOrdersWithOperationsQuery(
  db: DbOrTx,
  plantId: string,
  orders: readonly OrderRow[],
  operations: readonly Omit<Insertable<OrderOperationsTable>, 'plant_id'>[],
): CompiledQuery {
  return sql`SELECT drumbeat_insert_orders(${inlineText(plantId)}, ${inlineRecordArray(
    rowsRecordArray(orders, ORDER_RECORD_COLUMNS),
    'drumbeat_order_row_v1',
  )}, ${inlineRecordArray(rowsRecordArray(operations, OPERATION_RECORD_COLUMNS), 'drumbeat_operation_row_v1')})`.compile(db);
}
