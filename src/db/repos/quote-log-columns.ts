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
const TWO_31 = 2 ** 31;
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
      last = s;
      lastDays = s === null ? null : (utcMidnight(s) - PG_EPOCH_MS) / 86_400_000;
    }
    return lastDays;
  };
}

/**
 * Milliseconds of a 'YYYY-MM-DD' date's UTC midnight; refused (as date_in refuses it) unless it
 * names a real day of years 1–9999. Not Date.UTC, which reads years 0–99 as 1900–1999 and rolls
 * 02-30 over into March.
 */
function utcMidnight(s: string): number {
  const m = LOCAL_DATE.exec(s);
  if (m) {
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const at = new Date(0);
    at.setUTCFullYear(y, mo - 1, d);
    if (y >= 1 && at.getUTCFullYear() === y && at.getUTCMonth() === mo - 1 && at.getUTCDate() === d) return at.getTime();
  }
  throw new RangeError(`quote_log: not a date: ${s}`);
}

/** A growing buffer of COPY binary fields: DataView and TypedArray writes (no Buffer method per field). */
class CopyWriter {
  bytes: Uint8Array;
  view: DataView;
  at = 0;

  constructor(size: number) {
    this.bytes = new Uint8Array(size);
    this.view = new DataView(this.bytes.buffer);
  }

  /** Room for `n` more bytes. */
  reserve(n: number) {
    if (this.at + n <= this.bytes.length) return;
    const bigger = new Uint8Array(Math.max(this.bytes.length * 2, this.at + n));
    bigger.set(this.bytes.subarray(0, this.at));
    this.bytes = bigger;
    this.view = new DataView(bigger.buffer);
  }

  int16(n: number) {
    this.view.setInt16(this.at, n);
    this.at += 2;
  }

  int32(n: number) {
    this.view.setInt32(this.at, n);
    this.at += 4;
  }

  /** A field: its length, then its bytes; -1 for NULL. */
  field(b: Uint8Array | null) {
    if (b === null) return this.int32(-1);
    this.int32(b.length);
    this.bytes.set(b, this.at);
    this.at += b.length;
  }

  /** An int4 field; anything else is refused (as int4in refuses it), not wrapped or truncated. */
  int4Field(n: number) {
    if (!Number.isInteger(n) || n < -TWO_31 || n >= TWO_31) throw new RangeError(`quote_log: not an int4: ${n}`);
    this.int32(4);
    this.int32(n);
  }

  /** A safe integer (|n| < 2^53) as an int8 field; anything else (NaN: an invalid Date) is refused. */
  int8Field(n: number) {
    if (!Number.isSafeInteger(n)) throw new RangeError(`quote_log: not an int8: ${n}`);
    const hi = Math.floor(n / TWO_32);
    this.int32(8);
    this.int32(hi);
    this.view.setUint32(this.at, n - hi * TWO_32);
    this.at += 4;
  }

  dateField(days: number | null) {
    if (days === null) this.int32(-1);
    else this.int4Field(days);
  }

  boolField(b: boolean | null) {
    if (b === null) return this.int32(-1);
    this.int32(1);
    this.bytes[this.at++] = b ? 1 : 0;
  }

  uuidField(id: string) {
    this.int32(16);
    uuidBytes(id, this.bytes, this.at);
    this.at += 16;
  }
}

/** The rows in COPY's binary format, in quote_log's column order (insertQuoteLog names them). */
export function quoteLogCopyBinary(rows: readonly QuoteLogInsert[]): Uint8Array {
  const [plant, actor, sku, owner, customer] = [utf8Encoder(), utf8Encoder(), utf8Encoder(), utf8Encoder(), utf8Encoder()];
  const [requested, earliest] = [dayCounter(), dayCounter()];
  const w = new CopyWriter(COPY_HEADER.length + rows.length * (FIXED_ROW_BYTES + 64) + 2);
  w.bytes.set(COPY_HEADER);
  w.at = COPY_HEADER.length;
  for (const q of rows) {
    const p = plant(q.plantId);
    const a = actor(q.actor);
    const s = sku(q.sku);
    const o = owner(q.owner);
    const c = customer(q.customer);
    w.reserve(FIXED_ROW_BYTES + (p?.length ?? 0) + (a?.length ?? 0) + (s?.length ?? 0) + (o?.length ?? 0) + (c?.length ?? 0) + 2);
    w.int16(FIELDS);
    w.field(p);
    w.uuidField(q.id);
    w.int8Field((q.at.getTime() - PG_EPOCH_MS) * 1000);
    w.field(a);
    w.field(s);
    w.int4Field(q.quantity);
    w.dateField(requested(q.requestedDate));
    w.dateField(earliest(q.earliestPromiseDate));
    w.boolField(q.requestedFeasible);
    w.int4Field(q.drumLoadMinutes);
    w.int8Field(q.scheduleVersion);
    w.field(o);
    w.field(c);
  }
  w.int16(-1);
  return w.bytes.subarray(0, w.at);
}

/** The 16 bytes of a uuid written as 8-4-4-4-12 hex digits, into `buf` at `at`. */
function uuidBytes(id: string, buf: Uint8Array, at: number) {
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
