// quote_log rows as insertQuoteLog sends them: COPY's binary format (PostgreSQL, below), or a
// PostgreSQL array literal per column for its unnest (PGlite; a retried batch). In the arrays,
// text is always double-quoted with `"` and `\` backslash-escaped (the array input rules), so no
// value reads back as NULL or splits; the other columns come from typed code in forms that need
// no quoting (ids, ISO instants, dates, integers, t/f).

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

// COPY's binary format (PostgreSQL's "COPY … FROM STDIN (FORMAT binary)"): a header, then per row
// the field count and each field as a 4-byte length (-1: NULL) and its value in the type's
// binary form, then -1 as a 2-byte field count. The binary forms skip PostgreSQL's text input
// parsers (timestamptz_in and date_in above all): ≈ 30 % less PostgreSQL CPU a row than the
// text format. All integers are big-endian.
const COPY_HEADER = Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)]);
const FIELDS = 13;
/** Bytes of a row besides its texts: the field count, 13 lengths, uuid, timestamptz, 2 int4, 2 date, bool, int8. */
const FIXED_ROW_BYTES = 2 + FIELDS * 4 + 16 + 8 + 4 + 4 + 4 + 4 + 1 + 8;
const PG_EPOCH_MS = Date.UTC(2000, 0, 1);
const TWO_32 = 2 ** 32;
const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const HEX = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) HEX['0123456789abcdef'.charCodeAt(i)] = HEX['0123456789ABCDEF'.charCodeAt(i)] = i;

/** UTF-8 of a text, or null; the last value's bytes are kept (a batch repeats the same few texts). */
function utf8Encoder() {
  let last: string | null | undefined;
  let lastBytes: Buffer | null = null;
  return (s: string | null): Buffer | null => {
    if (s !== last) {
      last = s;
      lastBytes = s === null ? null : Buffer.from(s, 'utf8');
    }
    return lastBytes;
  };
}

/** Days from 2000-01-01 of a 'YYYY-MM-DD' date, or null; the last value's is kept. */
function dayCounter() {
  let last: string | null | undefined;
  let lastDays: number | null = null;
  return (s: string | null): number | null => {
    if (s !== last) {
      const m = s === null ? null : LOCAL_DATE.exec(s);
      if (s !== null && !m) throw new Error(`quote_log: not a date: ${s}`);
      last = s;
      lastDays = m ? (Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) - PG_EPOCH_MS) / 86_400_000 : null;
    }
    return lastDays;
  };
}

/** The rows in COPY's binary format, in quote_log's column order (insertQuoteLog names them). */
export function quoteLogCopyBinary(rows: readonly QuoteLogInsert[]): Buffer {
  const [plant, actor, sku, owner, customer] = [utf8Encoder(), utf8Encoder(), utf8Encoder(), utf8Encoder(), utf8Encoder()];
  const [requested, earliest] = [dayCounter(), dayCounter()];
  let buf = Buffer.allocUnsafe(COPY_HEADER.length + rows.length * (FIXED_ROW_BYTES + 48) + 2);
  let o = COPY_HEADER.copy(buf, 0);
  const int32 = (n: number) => {
    o = buf.writeInt32BE(n, o);
  };
  /** A non-negative integer below 2^53 as an int8. */
  const int64 = (n: number) => {
    const hi = Math.floor(n / TWO_32);
    o = buf.writeUInt32BE(n - hi * TWO_32, buf.writeInt32BE(hi, o));
  };
  const bytes = (b: Buffer | null) => {
    if (b === null) return int32(-1);
    int32(b.length);
    o += b.copy(buf, o);
  };
  const date = (days: number | null) => {
    if (days === null) return int32(-1);
    int32(4);
    int32(days);
  };
  for (const q of rows) {
    const [p, a, s, w, c] = [plant(q.plantId), actor(q.actor), sku(q.sku), owner(q.owner), customer(q.customer)];
    const need = FIXED_ROW_BYTES + (p?.length ?? 0) + (a?.length ?? 0) + (s?.length ?? 0) + (w?.length ?? 0) + (c?.length ?? 0) + 2;
    if (o + need > buf.length) {
      const bigger = Buffer.allocUnsafe(Math.max(buf.length * 2, o + need));
      buf.copy(bigger, 0, 0, o);
      buf = bigger;
    }
    o = buf.writeInt16BE(FIELDS, o);
    bytes(p);
    int32(16);
    uuidBytes(q.id, buf, o);
    o += 16;
    int32(8);
    int64((q.at.getTime() - PG_EPOCH_MS) * 1000);
    bytes(a);
    bytes(s);
    int32(4);
    int32(q.quantity);
    date(requested(q.requestedDate));
    date(earliest(q.earliestPromiseDate));
    if (q.requestedFeasible === null) int32(-1);
    else {
      int32(1);
      o = buf.writeUInt8(q.requestedFeasible ? 1 : 0, o);
    }
    int32(4);
    int32(q.drumLoadMinutes);
    int32(8);
    int64(q.scheduleVersion);
    bytes(w);
    bytes(c);
  }
  o = buf.writeInt16BE(-1, o);
  return buf.subarray(0, o);
}

/** The 16 bytes of a uuid written as 8-4-4-4-12 hex digits, into `buf` at `at`. */
function uuidBytes(id: string, buf: Buffer, at: number) {
  if (id.length !== 36) throw new Error(`quote_log: not a uuid: ${id}`);
  let j = 0;
  for (let i = 0; i < 16; i++) {
    if (j === 8 || j === 13 || j === 18 || j === 23) j++;
    const hi = HEX[id.charCodeAt(j)] ?? -1;
    const lo = HEX[id.charCodeAt(j + 1)] ?? -1;
    if (hi < 0 || lo < 0) throw new Error(`quote_log: not a uuid: ${id}`);
    buf[at + i] = (hi << 4) | lo;
    j += 2;
  }
}
