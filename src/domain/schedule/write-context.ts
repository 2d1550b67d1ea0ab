import type { Insertable, Transaction, Updateable } from 'kysely';
import type { Database, OrderOperationsTable, OrdersTable } from '../../db/database.ts';
import type { OrderRow } from '../../db/repos/orders.ts';
import type { Actor } from '../actor.ts';
import type { ConfigWriteContext } from './config-write.ts';
import type { ScheduleEvent } from './event-types.ts';
import type { PlantState } from './plant-cache.ts';

/** The columns a write sets on a new order; the writer stamps the plant, the version and the times. */
export type NewOrder = Omit<Insertable<OrdersTable>, 'plant_id' | 'changed_version' | 'created_at' | 'updated_at'>;
/** The columns a write changes on an order; the writer stamps the version and the time. */
export type OrderChange = Omit<Updateable<OrdersTable>, 'plant_id' | 'id' | 'changed_version' | 'updated_at' | 'created_at'>;

/**
 * Order writes inside a schedule write: each stamps the version this write commits as,
 * writes the row and brings the engine state in line through PlantState.apply(row), so the
 * state cannot drift from the database by a forgotten call at some call site.
 */
export interface OrderWrites {
  insert(values: NewOrder): Promise<OrderRow>;
  /** Many new orders in one statement (seeding, imports). */
  insertMany(values: NewOrder[]): Promise<OrderRow[]>;
  update(id: string, set: OrderChange): Promise<OrderRow>;
}

/** An order's operation rows (routing snapshot and planned intervals), without the plant. */
export type OperationRow = Omit<Insertable<OrderOperationsTable>, 'plant_id'>;

/**
 * Operation writes inside a schedule write. Nothing inside a write reads them back, so they
 * are collected and written once per batch, before its events: one DELETE and one
 * multi-row INSERT for the whole batch instead of two statements per order. A refused write's
 * go with it.
 */
export interface OperationWrites {
  /** The order's operations become `rows`. `fresh`: the order is new in this write (nothing stored to replace). */
  replace(orderId: string, rows: readonly OperationRow[], fresh?: boolean): void;
}

/** What a schedule write sees: its transaction, the plant's engine state and typed operations. */
export interface WriteContext extends ConfigWriteContext {
  tx: Transaction<Database>;
  state: PlantState;
  now: Date;
  nowMinute: number;
  /** The version this write will commit as, if it changes the schedule. */
  nextVersion: number;
  actor: Actor | null;
  orders: OrderWrites;
  operations: OperationWrites;
  /** Record a schedule change (checked against its type's schema); any change bumps the version once for the whole write. */
  emit(event: ScheduleEvent): void;
  /** Claim the next commit sequence number (tie-break among equal deadlines). */
  nextSeq(): number;
  /**
   * Records that this write changed capacity or load rules (a calendar, a capacity change,
   * buffers, routings): the plant's config version moves, every process rebuilds its engine
   * state, and so does this batch before its next write, which is decided on the new rules.
   */
  changeCapacityRules(): Promise<void>;
}
