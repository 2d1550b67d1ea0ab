import { plantTimeZone } from '../plant-time-zone.ts';
import { plantVersions } from '../../db/repos/plant-versions.ts';
import type { OrderStatus } from '../../db/database.ts';
import { COMMITTED, findOrderByExternalId, listOrders as listOrderRows, type OrderRow } from '../../db/repos/orders.ts';
import { findOrderFor, mayActOnOrder } from './order-access.ts';
import { actorLabel, ownerScope, type Actor } from '../actor.ts';
import { withdrawRequestsOfDeadOrders } from '../planning/capacity-request-withdrawal.ts';
import { idempotencyHooks, type IdempotentRequest } from '../idempotency-keys.ts';
import { conflict, invalid, notFound } from '../errors.ts';
import { assertNotPast, resolveDemand } from './evaluate.ts';
import { orderView } from './order-view.ts';
import type { PromisingDeps } from './quotes.ts';
import { orderEventData, reserve } from './reserve.ts';
import { recoverAtRisk } from '../planning/recover-at-risk.ts';

export interface OrderInput {
  sku: string;
  quantity: number;
  promiseDate: string;
  customer: string;
  customerId?: string | undefined;
  externalId?: string | undefined;
  materialAvailableDate?: string | undefined;
  quoteId?: string | undefined;
}

/** Quote, reserve and confirm in one transaction: 201 with the order, or 409 with the honest alternative. */
export async function createOrder(deps: PromisingDeps, plantId: string, actor: Actor, input: OrderInput, idem?: IdempotentRequest) {
  const timeZone = await plantTimeZone(deps, plantId);
  const { result, version } = await deps.writer.write(
    plantId,
    actor,
    async (ctx) => {
      const d = resolveDemand(ctx.state, input, deps);
      assertNotPast(ctx.state, input.promiseDate, ctx.nowMinute, 'body.promiseDate');
      const row = await reserve(ctx, d, { ...input, status: 'confirmed' });
      ctx.emit({ type: 'order.created', orderId: row.id, data: orderEventData(row) });
      return row;
    },
    idempotencyHooks<OrderRow>(idem, (o) => orderView(o.result, o.version, timeZone)),
  );
  return orderView(result, version, timeZone);
}

export async function cancelOrder(deps: PromisingDeps, plantId: string, actor: Actor, id: string, reason?: string) {
  const timeZone = await plantTimeZone(deps, plantId);
  const { result, version } = await deps.writer.write(plantId, actor, async (ctx) => {
    const row = await findOrderFor(ctx.tx, plantId, id, actor);
    if (!COMMITTED.includes(row.status))
      throw conflict(`Order ${id} is ${row.status}; only open orders can be cancelled.`, { orderStatus: row.status });
    const updated = await ctx.orders.update(id, { status: 'cancelled', hold_expires_at: null });
    ctx.emit({
      type: 'order.cancelled',
      orderId: id,
      data: { ...orderEventData(row), previousStatus: row.status, reason: reason ?? null },
    });
    await withdrawRequestsOfDeadOrders(ctx, [id], { label: actorLabel(actor), role: actor.role }, 'order cancelled');
    // Its capacity goes to the orders at risk that can make their date with it.
    await recoverAtRisk(ctx, `Order planning after the cancellation of order ${id}`);
    return updated;
  });
  return orderView(result, version, timeZone);
}

export async function getOrder(deps: PromisingDeps, plantId: string, actor: Actor, id: string) {
  const row = await findOrderFor(deps.db, plantId, id, actor);
  const { version, timeZone } = await currentPlant(deps, plantId);
  return orderView(row, version, timeZone);
}

/** The ERP's read by its own key: the same ownership rule as by id (a sales key sees its own orders only). */
export async function getOrderByExternalId(deps: PromisingDeps, plantId: string, actor: Actor, externalId: string) {
  const { version, timeZone } = await currentPlant(deps, plantId);
  const row = await findOrderByExternalId(deps.db, plantId, externalId);
  if (!row || !mayActOnOrder(actor, row)) throw notFound(`Order with external id "${externalId}" in plant "${plantId}"`);
  return orderView(row, version, timeZone);
}

export async function currentVersion(deps: PromisingDeps, plantId: string) {
  return (await currentPlant(deps, plantId)).version;
}

/** The plant's schedule version and time zone (one read), for order views; 404 for an unknown plant. */
async function currentPlant(deps: PromisingDeps, plantId: string) {
  const p = await plantVersions(deps.db, plantId);
  if (!p) throw notFound(`Plant "${plantId}"`);
  return { version: p.schedule_version, timeZone: p.time_zone };
}

const encodeCursor = (createdAt: Date, id: string) => Buffer.from(JSON.stringify([createdAt.toISOString(), id])).toString('base64url');

function decodeCursor(cursor: string) {
  try {
    const [c, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as [string, string];
    const createdAt = new Date(c);
    if (Number.isNaN(createdAt.getTime()) || typeof id !== 'string') throw new Error('bad cursor');
    return { createdAt, id };
  } catch {
    throw invalid([{ field: 'querystring.cursor', message: 'Not a cursor this API returned' }]);
  }
}

export async function listOrders(
  deps: PromisingDeps,
  plantId: string,
  actor: Actor,
  q: {
    status?: OrderStatus | undefined;
    customer?: string | undefined;
    customerId?: string | undefined;
    cursor?: string | undefined;
    limit: number;
  },
) {
  const { version, timeZone } = await currentPlant(deps, plantId);
  const rows = await listOrderRows(deps.db, plantId, {
    status: q.status,
    customer: q.customer,
    customerId: q.customerId,
    owner: ownerScope(actor),
    after: q.cursor ? decodeCursor(q.cursor) : undefined,
    limit: q.limit,
  });
  const page = rows.slice(0, q.limit);
  const last = page.at(-1);
  return {
    items: page.map((r) => orderView(r, version, timeZone)),
    nextCursor: rows.length > q.limit && last ? encodeCursor(last.created_at, last.id) : null,
  };
}
