import { listQuotes } from '../../db/repos/quote-log.ts';
import { endOfLocalDate } from '../../engine/index.ts';
import { invalid } from '../errors.ts';
import { engineOf } from '../promising/evaluate.ts';
import type { PromisingDeps } from '../promising/quotes.ts';
import { readState } from '../promising/read-state.ts';
import { fromMinute } from '../schedule/plant-cache.ts';

export interface QuoteRecordQuery {
  from: string;
  to: string;
  sku?: string | undefined;
  customer?: string | undefined;
  salesperson?: string | undefined;
  converted?: 'true' | 'false' | undefined;
  cursor?: string | undefined;
  limit: number;
}

const encodeCursor = (at: Date, id: string) => Buffer.from(JSON.stringify([at.toISOString(), id])).toString('base64url');

function decodeCursor(cursor: string) {
  try {
    const [a, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as [string, string];
    const at = new Date(a);
    if (Number.isNaN(at.getTime()) || typeof id !== 'string' || !/^[0-9a-f-]{36}$/.test(id)) throw new Error('bad cursor');
    return { at, id };
  } catch {
    throw invalid([{ field: 'querystring.cursor', message: 'Not a cursor this API returned' }]);
  }
}

/**
 * The recorded quotes answered on plant-local dates [from, to], oldest first, a page at a
 * time: who asked what, what was answered, and whether a confirmed order came of it.
 */
export async function quoteRecords(deps: PromisingDeps, plantId: string, q: QuoteRecordQuery) {
  if (q.to < q.from) throw invalid([{ field: 'querystring.to', message: `${q.to} is before ${q.from}` }]);
  const { wt } = engineOf(await readState(deps, plantId));
  // Quotes are recorded off the request path: write what is buffered so the list is current.
  await deps.quotes.flush();
  const rows = await listQuotes(deps.db, plantId, {
    from: fromMinute(wt.startOfLocalDate(q.from)),
    to: fromMinute(endOfLocalDate(wt, q.to)),
    sku: q.sku,
    customer: q.customer,
    owner: q.salesperson,
    converted: q.converted === undefined ? undefined : q.converted === 'true',
    after: q.cursor ? decodeCursor(q.cursor) : undefined,
    limit: q.limit,
  });
  const page = rows.slice(0, q.limit);
  const last = page.at(-1);
  return {
    items: page.map((r) => ({
      id: r.id,
      at: r.at.toISOString(),
      actor: r.actor,
      salesperson: r.owner,
      customer: r.customer,
      sku: r.sku,
      quantity: r.quantity,
      requestedDate: r.requested_date,
      earliestPromiseDate: r.earliest_promise_date,
      requestedDateFeasible: r.requested_feasible,
      drumLoadMinutes: r.drum_load_minutes,
      scheduleVersion: Number(r.schedule_version),
      converted: Boolean(r.converted),
    })),
    nextCursor: rows.length > q.limit && last ? encodeCursor(last.at, last.id) : null,
  };
}
