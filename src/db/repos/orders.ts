import { sql, type CompiledQuery, type Insertable, type Selectable, type Updateable } from 'kysely';
import type { DbOrTx, OrdersTable, OrderStatus } from '../database.ts';
import { inlineInteger, inlineText, quoteLiteral } from '../literals.ts';
import { rowsJson } from '../row-json.ts';
import { values, valuesChunkRows } from '../values.ts';

export type OrderRow = Selectable<OrdersTable>;

/** Statuses that hold drum capacity: the committed set the feasibility invariant is about. */
export const COMMITTED: readonly OrderStatus[] = ['held', 'confirmed', 'released', 'in_progress'];

export async function insertOrders(tx: DbOrTx, values: Insertable<OrdersTable>[]): Promise<OrderRow[]> {
  if (values.length === 0) return [];
  return tx.insertInto('orders').values(values).returningAll().execute();
}

/**
 * The row PostgreSQL would store for `values`: every column the insert leaves out gets its
 * default (null, or the column's DEFAULT). A write keeps its new orders in memory as these
 * rows and the batch inserts them together (insertOrderRowsQuery), so no statement is needed
 * to learn what was stored.
 */
export function completeOrderRow(v: Omit<Insertable<OrdersTable>, keyof OrderStamp>, stamp: OrderStamp): OrderRow {
  // One object literal with every column, always in this order: V8 gives every row the same
  // hidden class. Copying the defaults and then setting the given columns one by one (mixed
  // null, number and Date values) made V8 migrate the object's shape column after column:
  // ~100–200 µs per row on the write path, and a slow object for everything that read it.
  // Typed by its keys (every column, no other): a new column does not compile until it is here.
  const row: Record<keyof OrderRow, unknown> = {
    plant_id: stamp.plant_id,
    id: v.id,
    status: v.status,
    sku: v.sku,
    quantity: v.quantity,
    customer: or(v.customer, null),
    external_id: or(v.external_id, null),
    requested_date: or(v.requested_date, null),
    promise_date: v.promise_date,
    drum_deadline: v.drum_deadline,
    drum_load_minutes: v.drum_load_minutes,
    drum_done_minutes: or(v.drum_done_minutes, 0),
    production_buffer_days: v.production_buffer_days,
    shipping_buffer_days: v.shipping_buffer_days,
    seq: v.seq,
    pinned: or(v.pinned, false),
    pin_rank: or(v.pin_rank, null),
    changed_version: stamp.changed_version,
    hold_expires_at: or(v.hold_expires_at, null),
    released_at: or(v.released_at, null),
    completed_at: or(v.completed_at, null),
    shipped_at: or(v.shipped_at, null),
    promise_kept: or(v.promise_kept, null),
    penetration_at_completion: or(v.penetration_at_completion, null),
    created_by: v.created_by,
    created_by_key: or(v.created_by_key, null),
    owner_principal: or(v.owner_principal, null),
    customer_id: or(v.customer_id, null),
    created_at: stamp.created_at,
    updated_at: stamp.updated_at,
    drum_key: or(v.drum_key, null),
    ready_at: or(v.ready_at, null),
    planned_release_at: or(v.planned_release_at, null),
    material_available_at: or(v.material_available_at, null),
    effective_deadline: or(v.effective_deadline, null),
    at_risk: or(v.at_risk, false),
    at_risk_reason: or(v.at_risk_reason, null),
    at_risk_resource: or(v.at_risk_resource, null),
    at_risk_projected_finish: or(v.at_risk_projected_finish, null),
    at_risk_promise_date: or(v.at_risk_promise_date, null),
    at_risk_since: or(v.at_risk_since, null),
    original_promise_date: or(v.original_promise_date, null),
    original_promise_kept: or(v.original_promise_kept, null),
    confirmed_at: or(v.confirmed_at, null),
    quote_id: or(v.quote_id, null),
  };
  // The insert types accept strings for timestamps; the writer passes Dates, as pg returns them.
  return row as OrderRow;
}

/** What the writer sets on every new order (apart from the caller's values, so no spread builds a copy per row). */
export interface OrderStamp {
  plant_id: string;
  changed_version: number;
  created_at: Date;
  updated_at: Date;
}

/**
 * The fields of `drumbeat_order_row_v1` in order (migration 0029: the columns of `orders` as they
 * were then): how a batch's new orders are written as records (row-json.ts rowsRecordArray). A
 * test compares this list with the type's and the table's on PostgreSQL and PGlite, and a
 * column missing here does not compile: a migration that adds a column to orders fails that
 * test until a _v2 type and function write it (the _v1 ones stay for processes of this release).
 */
export const ORDER_RECORD_COLUMNS = [
  'plant_id',
  'id',
  'status',
  'sku',
  'quantity',
  'customer',
  'external_id',
  'requested_date',
  'promise_date',
  'drum_deadline',
  'drum_load_minutes',
  'drum_done_minutes',
  'production_buffer_days',
  'shipping_buffer_days',
  'seq',
  'pinned',
  'hold_expires_at',
  'released_at',
  'completed_at',
  'shipped_at',
  'promise_kept',
  'penetration_at_completion',
  'changed_version',
  'created_by',
  'created_at',
  'updated_at',
  'pin_rank',
  'created_by_key',
  'drum_key',
  'ready_at',
  'planned_release_at',
  'material_available_at',
  'effective_deadline',
  'owner_principal',
  'customer_id',
  'original_promise_date',
  'original_promise_kept',
  'confirmed_at',
  'quote_id',
  'at_risk',
  'at_risk_reason',
  'at_risk_resource',
  'at_risk_projected_finish',
  'at_risk_promise_date',
  'at_risk_since',
] as const satisfies readonly (keyof OrderRow)[];

// Every column of OrderRow is in the list: otherwise this type is not `true` and the line does not compile.
const everyOrderColumn: Exclude<keyof OrderRow, (typeof ORDER_RECORD_COLUMNS)[number]> extends never ? true : false = true;
void everyOrderColumn;

/** A column left out of an insert (undefined) gets the table's default; null stays null. */
const or = <T, D>(value: T | undefined, fallback: D): T | D => (value === undefined ? fallback : value);

/** Complete rows (completeOrderRow) per statement: one JSON parameter, bounded so a seeding batch stays a sane size. */
export const ORDER_ROWS_PER_STATEMENT = 2_000;

/**
 * New orders in one statement, whatever their number (up to ORDER_ROWS_PER_STATEMENT): the
 * complete rows travel as one JSON parameter and PostgreSQL turns them into `orders` records
 * by column name, so the statement costs one parameter instead of one per column and row.
 * Compiled, not run: the writer sends it on its transaction's connection, at a moment of its
 * choosing (see deferred-statements.ts).
 */
export function insertOrderRowsQuery(db: DbOrTx, rows: readonly OrderRow[]): CompiledQuery {
  // Null columns left out (db/row-json.ts): on the NULL base record a missing key is null.
  return sql`INSERT INTO orders SELECT * FROM jsonb_populate_recordset(NULL::orders, ${rowsJson(rows, true)}::jsonb)`.compile(db);
}

export async function updateOrder(tx: DbOrTx, plantId: string, id: string, set: Updateable<OrdersTable>): Promise<OrderRow> {
  return tx.updateTable('orders').set(set).where('plant_id', '=', plantId).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

/** Plants with a hold past its expiry (the background sweep's work list). */
export async function plantsWithExpiredHolds(db: DbOrTx, now: Date) {
  return db.selectFrom('orders').select('plant_id').distinct().where('status', '=', 'held').where('hold_expires_at', '<=', now).execute();
}

/** Expires the given holds that are still held; returns the rows that changed. */
export async function expireHolds(tx: DbOrTx, plantId: string, ids: string[], version: number, now: Date): Promise<OrderRow[]> {
  return tx
    .updateTable('orders')
    .set({ status: 'expired', hold_expires_at: null, changed_version: version, updated_at: now })
    .where('plant_id', '=', plantId)
    .where('id', 'in', ids)
    .where('status', '=', 'held')
    .returningAll()
    .execute();
}

export async function findOrder(db: DbOrTx, plantId: string, id: string) {
  return db.selectFrom('orders').selectAll().where('plant_id', '=', plantId).where('id', '=', id).executeTakeFirst();
}

/** Whether the plant has ever had an order (go-live loads a plant's open orders once, before any other). */
export async function anyOrderOf(db: DbOrTx, plantId: string): Promise<boolean> {
  return (await db.selectFrom('orders').select('id').where('plant_id', '=', plantId).limit(1).executeTakeFirst()) !== undefined;
}

export async function findOrderByExternalId(db: DbOrTx, plantId: string, externalId: string) {
  return db.selectFrom('orders').selectAll().where('plant_id', '=', plantId).where('external_id', '=', externalId).executeTakeFirst();
}

/** The columns the engine's drum state is built from. */
const DRUM_COLUMNS = [
  'id',
  'status',
  'drum_load_minutes',
  'drum_done_minutes',
  'drum_deadline',
  'seq',
  'pinned',
  'hold_expires_at',
  'production_buffer_days',
  'pin_rank',
  'drum_key',
  'ready_at',
  'planned_release_at',
  'material_available_at',
  'effective_deadline',
  'promise_date',
  'shipping_buffer_days',
  'at_risk',
  'at_risk_reason',
  'at_risk_resource',
  'at_risk_projected_finish',
  'at_risk_promise_date',
] as const;

export type DrumRow = Awaited<ReturnType<typeof drumRows>>[number];

/** The engine's view of the orders changed after `sinceVersion` (all committed ones when undefined). */
export async function drumRows(db: DbOrTx, plantId: string, sinceVersion?: number) {
  let q = db.selectFrom('orders').select(DRUM_COLUMNS).where('plant_id', '=', plantId);
  q = sinceVersion === undefined ? q.where('status', 'in', COMMITTED) : q.where('changed_version', '>', sinceVersion);
  return q.execute();
}

/** DRUM_COLUMNS as a select list, quoted once. */
const DRUM_SELECT = sql.raw(DRUM_COLUMNS.map((c) => `"${c}"`).join(', '));

/**
 * drumRows after `sinceVersion`, compiled without parameters (db/literals.ts) to travel with
 * the lock (lockPlantVersionsWithChanges). Raw SQL because it is built for every batch: the
 * builder costs tens of microseconds per query there, the template a few. Ordered by
 * changed_version so that orders_changed is the planner's choice even when statistics know
 * nothing of the plant (see operationsOfChangedOrdersQuery and migration 0027).
 */
export function changedDrumRowsQuery(db: DbOrTx, plantId: string, sinceVersion: number): CompiledQuery<DrumRow> {
  return sql<DrumRow>`SELECT ${DRUM_SELECT} FROM orders
    WHERE plant_id = ${inlineText(plantId)} AND changed_version > ${inlineInteger(sinceVersion)} ORDER BY changed_version`.compile(db);
}

/** The committed statuses as an SQL list, for queries written without parameters. */
export const COMMITTED_LIST = sql.raw(COMMITTED.map(quoteLiteral).join(', '));

/**
 * One page of the engine's view of the committed orders, by id after `afterId` (keyset), at
 * most `limit` rows: a cold book build reads the plant this way instead of in one query.
 */
export async function committedDrumRowsPage(db: DbOrTx, plantId: string, afterId: string | undefined, limit: number) {
  let q = db.selectFrom('orders').select(DRUM_COLUMNS).where('plant_id', '=', plantId).where('status', 'in', COMMITTED);
  if (afterId !== undefined) q = q.where('id', '>', afterId);
  return q.orderBy('id').limit(limit).execute();
}

/**
 * Moves orders to new places in the drum's sequence (an insertion between neighbours, a
 * renumbering in a rebuild, a late order re-positioned). One `UPDATE … FROM (VALUES …)` per
 * chunk of rows (one statement below ~30k changes), stamping `changed_version` like every
 * order write so other processes catch up on these rows (drumRows since their version). Only
 * inside a reschedule: the order gate refuses it otherwise. Returns the number of rows updated.
 */
export async function updateDrumKeys(
  tx: DbOrTx,
  plantId: string,
  changes: readonly { id: string; key: number }[],
  version: number,
): Promise<number> {
  let updated = 0;
  const chunk = valuesChunkRows(2);
  for (let i = 0; i < changes.length; i += chunk) {
    const result = await tx
      .updateTable('orders')
      .from(values(changes.slice(i, i + chunk), 'v', { id: 'uuid', key: 'bigint' }))
      .set((eb) => ({ drum_key: eb.ref('v.key'), changed_version: version }))
      .where('orders.plant_id', '=', plantId)
      .whereRef('orders.id', '=', 'v.id')
      .executeTakeFirst();
    updated += Number(result.numUpdatedRows);
  }
  return updated;
}

export async function listOrders(
  db: DbOrTx,
  plantId: string,
  filter: {
    status?: OrderStatus | undefined;
    customer?: string | undefined;
    /** Only the orders this principal owns. */
    owner?: string | undefined;
    customerId?: string | undefined;
    after?: { createdAt: Date; id: string } | undefined;
    limit: number;
  },
) {
  let q = db.selectFrom('orders').selectAll().where('plant_id', '=', plantId);
  if (filter.status) q = q.where('status', '=', filter.status);
  if (filter.customer) q = q.where('customer', '=', filter.customer);
  if (filter.owner !== undefined) q = q.where('owner_principal', '=', filter.owner);
  if (filter.customerId) q = q.where('customer_id', '=', filter.customerId);
  if (filter.after) {
    const { createdAt, id } = filter.after;
    q = q.where((eb) => eb.or([eb('created_at', '>', createdAt), eb.and([eb('created_at', '=', createdAt), eb('id', '>', id)])]));
  }
  return q
    .orderBy('created_at')
    .orderBy('id')
    .limit(filter.limit + 1)
    .execute();
}

/** Committed orders by id (in chunks: bind-parameter limits). */
export async function committedOrdersByIds(db: DbOrTx, plantId: string, ids: string[]): Promise<Map<string, OrderRow>> {
  const out = new Map<string, OrderRow>();
  for (let i = 0; i < ids.length; i += 5_000) {
    const found = await db
      .selectFrom('orders')
      .selectAll()
      .where('plant_id', '=', plantId)
      .where('id', 'in', ids.slice(i, i + 5_000))
      .where('status', 'in', COMMITTED)
      .execute();
    for (const r of found) out.set(r.id, r);
  }
  return out;
}

/** The plant's orders with these ids (a page of the schedule), in no particular order. */
export async function ordersByIds(db: DbOrTx, plantId: string, ids: readonly string[]) {
  if (ids.length === 0) return [];
  return db.selectFrom('orders').selectAll().where('plant_id', '=', plantId).where('id', 'in', ids).execute();
}

/** Plants with committed orders that have no whole-route plan yet (committed before migration 0009). */
export async function plantsWithUnplannedOrders(db: DbOrTx): Promise<string[]> {
  const rows = await db
    .selectFrom('orders')
    .select('plant_id')
    .distinct()
    .where('status', 'in', COMMITTED)
    .where('planned_release_at', 'is', null)
    .execute();
  return rows.map((r) => r.plant_id);
}

/** Drum minutes of one principal's live holds in a plant (what the hold cap counts). */
export async function heldDrumMinutes(db: DbOrTx, plantId: string, owner: string, now: Date): Promise<number> {
  const r = await db
    .selectFrom('orders')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number | string>('drum_load_minutes'), eb.lit(0)).as('minutes'))
    .where('plant_id', '=', plantId)
    .where('owner_principal', '=', owner)
    .where('status', '=', 'held')
    .where('hold_expires_at', '>', now)
    .executeTakeFirstOrThrow();
  return Number(r.minutes);
}

/** The plant's orders of an ERP customer number, oldest first (a hand-over's work list). */
export async function ordersOfCustomer(db: DbOrTx, plantId: string, customerId: string) {
  return db
    .selectFrom('orders')
    .selectAll()
    .where('plant_id', '=', plantId)
    .where('customer_id', '=', customerId)
    .orderBy('created_at')
    .execute();
}

/**
 * Gives orders a new owner in one statement. Ownership is not part of the engine's state, so
 * the rows bypass PlantState.apply; they are stamped with the write's version like every order write.
 */
export async function setOrderOwner(tx: DbOrTx, plantId: string, ids: string[], owner: string, version: number, at: Date) {
  if (ids.length === 0) return;
  await tx
    .updateTable('orders')
    .set({ owner_principal: owner, changed_version: version, updated_at: at })
    .where('plant_id', '=', plantId)
    .where('id', 'in', ids)
    .execute();
}
