import { eventsBefore } from '../../db/repos/event-archive.ts';
import { eventFromRow } from '../../db/repos/events.ts';
import { currentVersion } from '../promising/orders.ts';
import type { PromisingDeps } from '../promising/quotes.ts';

const PAGE = 1_000;

/**
 * The plant's events that happened before `before`, after sequence `after`, as NDJSON lines
 * (one event a line, the feed's shape), read a page at a time so an export of years of events
 * never holds more than a page. The last line's `seq` is where the archive ends: pass it as
 * `after` to resume. Checks the plant first (404 before the first byte).
 */
export async function eventExport(deps: PromisingDeps, plantId: string, before: Date, after: number): Promise<AsyncIterable<string>> {
  await currentVersion(deps, plantId);
  return (async function* () {
    for (let from = after; ;) {
      const rows = await eventsBefore(deps.db, plantId, from, before, PAGE);
      if (rows.length === 0) return;
      let lines = '';
      for (const r of rows) lines += `${JSON.stringify(eventFromRow(r))}\n`;
      yield lines;
      from = rows.at(-1)!.seq;
      if (rows.length < PAGE) return;
    }
  })();
}
