// quote_log rows as insertQuoteLog sends them: COPY's text format (PostgreSQL), or a PostgreSQL
// array literal per column for its unnest (PGlite; a retried batch). Text is escaped by the
// format's rules (COPY: backslash, tab, newline and carriage return backslash-escaped, NULL as
// \N; arrays: always double-quoted with `"` and `\` backslash-escaped), so no value reads back
// as NULL or splits; the other columns come from typed code in forms that need no quoting
// (ids, ISO instants, dates, integers, t/f).

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

const COPY_SPECIAL = /[\\\t\n\r]/g;
const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** Escapes text for COPY's text format; the last value is kept, as for textQuoter. */
function copyTexter() {
  let last: string | null = null;
  let lastEscaped = '\\N';
  return (s: string | null): string => {
    if (s === last) return lastEscaped;
    last = s;
    lastEscaped = s === null ? '\\N' : s.replace(COPY_SPECIAL, (c) => COPY_ESCAPES[c]!);
    return lastEscaped;
  };
}

const copyBool = (b: boolean | null) => (b === null ? '\\N' : b ? 't' : 'f');

/** The rows in COPY's text format, one line each, in quote_log column order (insertQuoteLog names them). */
export function quoteLogCopyText(rows: readonly QuoteLogInsert[]): string {
  const [plant, actor, sku, owner, customer] = [copyTexter(), copyTexter(), copyTexter(), copyTexter(), copyTexter()];
  let lastMs = NaN;
  let lastAt = '';
  let out = '';
  for (const q of rows) {
    const ms = q.at.getTime();
    if (ms !== lastMs) {
      lastMs = ms;
      lastAt = q.at.toISOString();
    }
    out +=
      `${plant(q.plantId)}\t${q.id}\t${lastAt}\t${actor(q.actor)}\t${sku(q.sku)}\t${q.quantity}\t${q.requestedDate ?? '\\N'}\t` +
      `${q.earliestPromiseDate}\t${copyBool(q.requestedFeasible)}\t${q.drumLoadMinutes}\t${q.scheduleVersion}\t${owner(q.owner)}\t${customer(q.customer)}\n`;
  }
  return out;
}
