import { randomBytes } from 'node:crypto';
import { orderIdsOfCustomer, pseudonymiseEvents, pseudonymiseQuotes, pseudonymiseReplays } from '../../db/repos/customer-erasure.ts';
import type { Actor } from '../actor.ts';
import { notFound } from '../errors.ts';
import type { PromisingDeps } from '../promising/quotes.ts';

/**
 * Replaces a customer's name by a fresh pseudonym (`customer-` and 12 hex digits, the shape the
 * event log's trigger accepts) in the plant's orders, events, quote records and their per-day
 * counts, and stored idempotent answers: one schedule write, so one transaction, recorded by a
 * `customer.erased` event that carries the pseudonym and the counts, never the name. The
 * pseudonym is the same everywhere, so the KPIs per customer still group the customer's facts.
 * Free text (reasons) is not searched. Unknown name: 404 and nothing written.
 */
export async function eraseCustomer(deps: PromisingDeps, plantId: string, actor: Actor, customer: string) {
  // Buffered quote records may name the customer: write them first so the erasure covers them.
  await deps.quotes.flush();
  const pseudonym = `customer-${randomBytes(6).toString('hex')}`;
  const { result, version } = await deps.writer.write(plantId, actor, async (ctx) => {
    const orderIds = await orderIdsOfCustomer(ctx.tx, plantId, customer);
    for (const id of orderIds) await ctx.orders.update(id, { customer: pseudonym });
    const events = await pseudonymiseEvents(ctx.tx, plantId, customer, pseudonym);
    const quotes = await pseudonymiseQuotes(ctx.tx, plantId, customer, pseudonym);
    if (orderIds.length + events + quotes === 0) throw notFound('A customer of that name in this plant');
    await pseudonymiseReplays(ctx.tx, plantId, customer, pseudonym);
    const counts = { orders: orderIds.length, events, quotes };
    ctx.emit({ type: 'customer.erased', data: { pseudonym, ...counts } });
    return counts;
  });
  return { plant: plantId, pseudonym, ...result, scheduleVersion: version };
}
