import { sql, type Insertable, type Selectable, type Updateable } from 'kysely';
import type { DbOrTx, WebhookDeliveriesTable, WebhookSubscriptionsTable } from '../database.ts';

export type WebhookSubscriptionRow = Selectable<WebhookSubscriptionsTable>;
export type WebhookDeliveryRow = Selectable<WebhookDeliveriesTable>;

export async function insertWebhookSubscription(db: DbOrTx, row: Insertable<WebhookSubscriptionsTable>) {
  return db.insertInto('webhook_subscriptions').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function listWebhookSubscriptions(db: DbOrTx, plantId: string) {
  return db.selectFrom('webhook_subscriptions').selectAll().where('plant_id', '=', plantId).orderBy('created_at').orderBy('id').execute();
}

export async function findWebhookSubscription(db: DbOrTx, plantId: string, id: string) {
  return db.selectFrom('webhook_subscriptions').selectAll().where('plant_id', '=', plantId).where('id', '=', id).executeTakeFirst();
}

/**
 * A change made through the API. It also drops the lease's token (not its expiry): a process
 * delivering the subscription sees its next fenced write refused and stops, and nobody claims
 * it before that process released it or its lease ran out, so two never deliver at once.
 */
export async function updateWebhookSubscription(db: DbOrTx, plantId: string, id: string, set: Updateable<WebhookSubscriptionsTable>) {
  return db
    .updateTable('webhook_subscriptions')
    .set({ ...set, lease_token: null })
    .where('plant_id', '=', plantId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

export async function deleteWebhookSubscription(db: DbOrTx, plantId: string, id: string): Promise<boolean> {
  const r = await db.deleteFrom('webhook_subscriptions').where('plant_id', '=', plantId).where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** Whether any subscription is active (in any plant): with none, commits need not wake the deliverer. */
export async function anyActiveWebhookSubscription(db: DbOrTx): Promise<boolean> {
  const row = await db.selectFrom('webhook_subscriptions').select('id').where('status', '=', 'active').limit(1).executeTakeFirst();
  return row !== undefined;
}

/** The plant's last event sequence number; undefined for an unknown plant. */
export async function lastEventSeq(db: DbOrTx, plantId: string): Promise<number | undefined> {
  const row = await db.selectFrom('plants').select('event_seq').where('id', '=', plantId).executeTakeFirst();
  return row?.event_seq;
}

/**
 * Leases up to `limit` active subscriptions that are due (retry time reached) and behind their
 * plant's event log, whose lease is free or expired. SKIP LOCKED lets processes claim side by
 * side without waiting on each other or claiming the same row; the lease (database time, so
 * processes on different machines agree) then keeps it theirs outside any transaction.
 * Raw SQL: Kysely's builder cannot say UPDATE … FROM (SELECT … FOR UPDATE OF … SKIP LOCKED).
 */
export async function claimDueWebhookSubscriptions(db: DbOrTx, opts: { token: string; now: Date; leaseMs: number; limit: number }) {
  const { rows } = await sql<WebhookSubscriptionRow>`
    UPDATE webhook_subscriptions s
       SET lease_token = ${opts.token}::uuid, lease_until = now() + ${opts.leaseMs} * interval '1 millisecond'
      FROM (SELECT w.plant_id, w.id
              FROM webhook_subscriptions w
              JOIN plants p ON p.id = w.plant_id
             WHERE w.status = 'active'
               AND w.next_attempt_at <= ${opts.now}
               AND (w.lease_until IS NULL OR w.lease_until < now())
               AND p.event_seq > w.cursor_seq
             ORDER BY w.next_attempt_at
             LIMIT ${opts.limit}
               FOR UPDATE OF w SKIP LOCKED) due
     WHERE s.plant_id = due.plant_id AND s.id = due.id
    RETURNING s.*`.execute(db);
  return rows;
}

/** A claimed subscription: the token its claim wrote, which every write of the holder must match. */
export interface WebhookLease {
  plantId: string;
  id: string;
  token: string;
}

/** Extends the lease before a send and stores the cursor reached so far; false: the lease is no longer ours. */
export async function renewWebhookLease(db: DbOrTx, lease: WebhookLease, cursorSeq: number, leaseMs: number): Promise<boolean> {
  const r = await db
    .updateTable('webhook_subscriptions')
    .set({ cursor_seq: cursorSeq, lease_until: sql<Date>`now() + ${leaseMs} * interval '1 millisecond'` })
    .where('plant_id', '=', lease.plantId)
    .where('id', '=', lease.id)
    .where('lease_token', '=', lease.token)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** A write by the lease holder (cursor, failures, pause); false when the lease is no longer its own. */
export async function settleWebhookSubscription(
  db: DbOrTx,
  lease: WebhookLease,
  set: Updateable<WebhookSubscriptionsTable>,
): Promise<boolean> {
  const r = await db
    .updateTable('webhook_subscriptions')
    .set(set)
    .where('plant_id', '=', lease.plantId)
    .where('id', '=', lease.id)
    .where('lease_token', '=', lease.token)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/**
 * Gives the lease back, storing the cursor reached while it is still ours. A lease whose token
 * the API dropped (pause, replay, edit) is freed too, without touching the cursor the API set.
 */
export async function releaseWebhookLease(db: DbOrTx, lease: WebhookLease, cursorSeq: number) {
  await db
    .updateTable('webhook_subscriptions')
    .set((eb) => ({
      cursor_seq: eb.case().when('lease_token', '=', lease.token).then(cursorSeq).else(eb.ref('cursor_seq')).end(),
      lease_token: null,
      lease_until: null,
    }))
    .where('plant_id', '=', lease.plantId)
    .where('id', '=', lease.id)
    .where((eb) => eb.or([eb('lease_token', '=', lease.token), eb('lease_token', 'is', null)]))
    .execute();
}

export async function insertWebhookDelivery(db: DbOrTx, row: Insertable<WebhookDeliveriesTable>) {
  await db.insertInto('webhook_deliveries').values(row).execute();
}

/** Forgets attempts logged before `before`; returns how many. */
export async function pruneWebhookDeliveries(db: DbOrTx, before: Date): Promise<number> {
  const r = await db.deleteFrom('webhook_deliveries').where('at', '<', before).executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** Attempts of one subscription, newest first, paged by id. */
export async function listWebhookDeliveries(db: DbOrTx, plantId: string, subscriptionId: string, limit: number, before?: number) {
  let q = db
    .selectFrom('webhook_deliveries')
    .selectAll()
    .where('plant_id', '=', plantId)
    .where('subscription_id', '=', subscriptionId)
    .orderBy('id', 'desc')
    .limit(limit);
  if (before !== undefined) q = q.where('id', '<', before);
  return q.execute();
}

/** Events each plant's active subscriptions are behind (of every type: an upper bound of what is still to send). */
export async function webhookBacklogByPlant(db: DbOrTx) {
  return db
    .selectFrom('webhook_subscriptions as w')
    .innerJoin('plants as p', 'p.id', 'w.plant_id')
    .select(['w.plant_id', sql<number>`sum(p.event_seq - w.cursor_seq)::int`.as('backlog')])
    .where('w.status', '=', 'active')
    .groupBy('w.plant_id')
    .execute();
}
