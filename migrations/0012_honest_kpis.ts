import { sql, type Kysely } from 'kysely';

// Honest KPIs (issue 13 item 6). An order remembers the first date it was confirmed for, so
// reliability is measured against it and not against the latest re-promise; when it became an
// order (flow time from entry); and the quote it came from, so conversion counts quotes, not
// orders. Quotes remember who asked (the key, as orders do) and, optionally, for which customer.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    ALTER TABLE orders
      ADD COLUMN original_promise_date date,
      ADD COLUMN original_promise_kept boolean,
      ADD COLUMN confirmed_at timestamptz,
      ADD COLUMN quote_id uuid`.execute(db);
  await sql`CREATE INDEX orders_quote_id ON orders (plant_id, quote_id) WHERE quote_id IS NOT NULL`.execute(db);
  await sql`CREATE INDEX orders_released_at ON orders (plant_id, released_at) WHERE released_at IS NOT NULL`.execute(db);
  await sql`ALTER TABLE quote_log ADD COLUMN owner text, ADD COLUMN customer text`.execute(db);

  // Backfill from what is known. The original promise: the earlier date of the order's first
  // re-promise or ERP date change (its "from"), else today's promise. A hold re-promised before
  // it was confirmed would take its held date; holds are minutes old, so that is accepted.
  // Holds and expired holds were never confirmed: they keep null.
  await sql`
    UPDATE orders o
       SET original_promise_date = f.first_date
      FROM (SELECT DISTINCT ON (plant_id, order_id) plant_id, order_id,
                   COALESCE(data->>'from', data->'before'->>'promiseDate')::date AS first_date
              FROM schedule_events
             WHERE order_id IS NOT NULL
               AND (type = 'order.repromised'
                    OR (type = 'order.updated' AND data->'before'->>'promiseDate' <> data->'after'->>'promiseDate'))
             ORDER BY plant_id, order_id, seq) f
     WHERE o.plant_id = f.plant_id AND o.id = f.order_id AND o.status NOT IN ('held', 'expired')`.execute(db);
  await sql`
    UPDATE orders SET original_promise_date = promise_date
     WHERE original_promise_date IS NULL AND status NOT IN ('held', 'expired')`.execute(db);
  // Entry: when a hold was confirmed (its event), else when the order was created.
  await sql`
    UPDATE orders o SET confirmed_at = e.at
      FROM schedule_events e
     WHERE e.plant_id = o.plant_id AND e.order_id = o.id AND e.type = 'order.confirmed'`.execute(db);
  await sql`
    UPDATE orders SET confirmed_at = created_at
     WHERE confirmed_at IS NULL AND status NOT IN ('held', 'expired')`.execute(db);
  // Shipped orders: kept against the original promise when shipped by the end of that local day.
  await sql`
    UPDATE orders o
       SET original_promise_kept = (o.shipped_at AT TIME ZONE p.time_zone) <= (o.original_promise_date + 1)::timestamp
      FROM plants p
     WHERE p.id = o.plant_id AND o.shipped_at IS NOT NULL AND o.original_promise_date IS NOT NULL`.execute(db);

  // The new columns are schedule history: they change only in a reschedule, like the columns
  // 0007/0009 gate. A trigger of their own, so this migration does not redefine the shared gate.
  await sql`
    CREATE CONSTRAINT TRIGGER orders_kpi_gate_update
      AFTER UPDATE OF original_promise_date, original_promise_kept, confirmed_at, quote_id ON orders
      DEFERRABLE INITIALLY DEFERRED
      FOR EACH ROW EXECUTE FUNCTION drumbeat_check_reschedule()`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TRIGGER orders_kpi_gate_update ON orders`.execute(db);
  await sql`ALTER TABLE quote_log DROP COLUMN owner, DROP COLUMN customer`.execute(db);
  await sql`DROP INDEX orders_released_at, orders_quote_id`.execute(db);
  await sql`
    ALTER TABLE orders
      DROP COLUMN original_promise_date,
      DROP COLUMN original_promise_kept,
      DROP COLUMN confirmed_at,
      DROP COLUMN quote_id`.execute(db);
}
