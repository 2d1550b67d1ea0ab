import type { Db, QuoteDailyTable } from '../../db/database.ts';
import { deleteQuotes, insertQuoteDaily, lockOldQuotes } from '../../db/repos/quote-daily.ts';
import { findPlantTimeZone, listPlantRows } from '../../db/repos/plants.ts';
import { formatLocalDate, MINUTES_PER_DAY, zoneOffsets } from '../../engine/local-time.ts';
import { quotedLeadTimeDays } from '../../planning-rules/kpis.ts';
import { toMinute } from '../schedule/plant-cache.ts';

const DAY_MS = 86_400_000;
const PAGE = 5_000;

/**
 * The plant-local date of an instant, as the KPIs compute it (the engine's working time in the
 * plant's zone; a plant's zone is fixed when it is created, so a folded day never moves).
 */
const localDateIn = (timeZone: string) => {
  const zone = zoneOffsets(timeZone);
  return (t: Date) => formatLocalDate(Math.floor(zone.wallOf(toMinute(t)) / MINUTES_PER_DAY));
};

/**
 * Folds the plant's quote records answered before `before` into per-day counts (quote_daily)
 * and deletes them, a page per transaction. Each count keeps every key the KPIs read quotes by,
 * so the KPIs give the same answer after the fold. Conversion is frozen at the fold: an order
 * confirmed later naming a folded quote no longer converts it (keep the retention longer than
 * a quote takes to become an order). Returns how many records were folded.
 */
export async function foldQuotesBefore(db: Db, plantId: string, before: Date): Promise<number> {
  const timeZone = await findPlantTimeZone(db, plantId);
  if (!timeZone) return 0;
  const on = localDateIn(timeZone);
  let folded = 0;
  for (;;) {
    const n = await db.transaction().execute(async (tx) => {
      const rows = await lockOldQuotes(tx, plantId, before, PAGE);
      const counts = new Map<string, QuoteDailyTable>();
      for (const r of rows) {
        const day = on(r.at);
        const row: QuoteDailyTable = {
          plant_id: plantId,
          day,
          sku: r.sku,
          customer: r.customer,
          owner: r.owner,
          lead_time_days: quotedLeadTimeDays(day, r.earliest_promise_date),
          converted: Boolean(r.converted),
          quotes: 1,
        };
        const key = JSON.stringify([day, r.sku, r.customer, r.owner, row.lead_time_days, row.converted]);
        const seen = counts.get(key);
        if (seen) seen.quotes++;
        else counts.set(key, row);
      }
      await insertQuoteDaily(tx, [...counts.values()]);
      await deleteQuotes(tx, plantId, rows);
      return rows.length;
    });
    folded += n;
    if (n < PAGE) return folded;
  }
}

/** Folds every plant's quote records older than `retentionDays` before `now`. */
export async function applyQuoteRetention(db: Db, now: Date, retentionDays: number): Promise<number> {
  const before = new Date(now.getTime() - retentionDays * DAY_MS);
  let folded = 0;
  for (const plant of await listPlantRows(db, null)) folded += await foldQuotesBefore(db, plant.id, before);
  return folded;
}
