// PostgreSQL array literals, one per quote_log column, for insertQuoteLog's unnest. Text is
// always double-quoted with `"` and `\` backslash-escaped (the array input rules), so no value
// reads back as NULL or splits; the other columns come from typed code in forms that need no
// quoting (ids, ISO instants, dates, integers, t/f).

/** One quote record as the log stores it. */
export interface QuoteLogInsert {
  plantId: string;
  id: string;
  at: Date;
  actor: string;
  sku: string;
  quantity: number;
  requestedDate: string | null;
  earliestPromiseDate: string;
  requestedFeasible: boolean | null;
  drumLoadMinutes: number;
  scheduleVersion: number;
  owner: string | null;
  customer: string | null;
}

const ESCAPE = /["\\]/g;

/** Quotes text for an array literal; the last value is kept, since a batch repeats the same few (plant, product, key). */
function textQuoter() {
  let last: string | null = null;
  let lastQuoted = 'NULL';
  return (s: string | null): string => {
    if (s === last) return lastQuoted;
    last = s;
    lastQuoted = s === null ? 'NULL' : `"${s.replace(ESCAPE, '\\$&')}"`;
    return lastQuoted;
  };
}

const bool = (b: boolean | null) => (b === null ? 'NULL' : b ? 't' : 'f');

export function quoteLogColumns(rows: readonly QuoteLogInsert[]) {
  const [plant, actor, sku, owner, customer] = [textQuoter(), textQuoter(), textQuoter(), textQuoter(), textQuoter()];
  const col = Array.from({ length: 13 }, () => new Array<string | number>(rows.length));
  for (let i = 0; i < rows.length; i++) {
    const q = rows[i]!;
    col[0]![i] = plant(q.plantId);
    col[1]![i] = q.id;
    col[2]![i] = q.at.toISOString();
    col[3]![i] = actor(q.actor);
    col[4]![i] = sku(q.sku);
    col[5]![i] = q.quantity;
    col[6]![i] = q.requestedDate ?? 'NULL';
    col[7]![i] = q.earliestPromiseDate;
    col[8]![i] = bool(q.requestedFeasible);
    col[9]![i] = q.drumLoadMinutes;
    col[10]![i] = q.scheduleVersion;
    col[11]![i] = owner(q.owner);
    col[12]![i] = customer(q.customer);
  }
  const literal = (i: number) => `{${col[i]!.join(',')}}`;
  return {
    plantId: literal(0),
    id: literal(1),
    at: literal(2),
    actor: literal(3),
    sku: literal(4),
    quantity: literal(5),
    requestedDate: literal(6),
    earliestPromiseDate: literal(7),
    requestedFeasible: literal(8),
    drumLoadMinutes: literal(9),
    scheduleVersion: literal(10),
    owner: literal(11),
    customer: literal(12),
  };
}
