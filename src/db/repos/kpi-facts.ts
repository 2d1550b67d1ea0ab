import { sql } from 'kysely';
import type { DbOrTx } from '../database.ts';
import { quoteConverted } from './quote-log.ts';

/*
 * Read-only queries behind the KPIs: the facts in a window, each with the product, customer
 * and salesperson it belongs to. The salesperson is the order's owner: the principal (person)
 * it belongs to, which survives key rotation and moves with a hand-over.
 */
const OWNER = 'orders.owner_principal' as const;

/** Orders shipped in [a, b). */
export async function shipmentsBetween(db: DbOrTx, plantId: string, a: Date, b: Date) {
  return db
    .selectFrom('orders')
    .select(['sku', 'customer', `${OWNER} as owner`, 'shipped_at', 'confirmed_at', 'created_at', 'original_promise_kept', 'promise_kept'])
    .where('plant_id', '=', plantId)
    .where('shipped_at', '>=', a)
    .where('shipped_at', '<', b)
    .execute();
}

/** Orders completed in [a, b). */
export async function completionsBetween(db: DbOrTx, plantId: string, a: Date, b: Date) {
  return db
    .selectFrom('orders')
    .select(['sku', 'customer', `${OWNER} as owner`, 'completed_at', 'released_at', 'penetration_at_completion'])
    .where('plant_id', '=', plantId)
    .where('completed_at', '>=', a)
    .where('completed_at', '<', b)
    .execute();
}

/** Quotes answered in [a, b), each with whether it converted. */
export async function quoteFactsBetween(db: DbOrTx, plantId: string, a: Date, b: Date) {
  return db
    .selectFrom('quote_log')
    .select((eb) => ['at', 'sku', 'customer', 'owner', 'earliest_promise_date', quoteConverted(eb).as('converted')])
    .where('plant_id', '=', plantId)
    .where('at', '>=', a)
    .where('at', '<', b)
    .execute();
}

/**
 * Re-promises in [a, b) with their initiator (null: written before initiators were recorded)
 * and ERP customer changes (`order.updated` classified so), with the order's keys.
 */
export async function dateChangesBetween(db: DbOrTx, plantId: string, a: Date, b: Date) {
  return db
    .selectFrom('schedule_events as e')
    .innerJoin('orders', (j) => j.onRef('orders.plant_id', '=', 'e.plant_id').onRef('orders.id', '=', 'e.order_id'))
    .select([
      'e.type',
      'e.at',
      sql<string | null>`e.data->>'initiator'`.as('initiator'),
      sql<string | null>`e.data->>'change'`.as('change'),
      'orders.sku',
      'orders.customer',
      `${OWNER} as owner`,
    ])
    .where('e.plant_id', '=', plantId)
    .where('e.type', 'in', ['order.repromised', 'order.updated'])
    .where('e.at', '>=', a)
    .where('e.at', '<', b)
    .execute();
}

/** Orders released before `b` and not finished (completed, or cancelled) before `a`: work in process somewhere in [a, b). */
export async function wipBetween(db: DbOrTx, plantId: string, a: Date, b: Date) {
  return db
    .selectFrom('orders')
    .select(['sku', 'customer', `${OWNER} as owner`, 'status', 'released_at', 'completed_at', 'updated_at'])
    .where('plant_id', '=', plantId)
    .where('released_at', '<', b)
    .where((eb) => eb.or([eb('completed_at', 'is', null), eb('completed_at', '>=', a)]))
    .where((eb) => eb.or([eb('status', '!=', 'cancelled'), eb('updated_at', '>=', a)]))
    .execute();
}
